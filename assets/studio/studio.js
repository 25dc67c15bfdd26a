// The studio: a form generated from a kind's JSON Schema (the one in /openapi.json), the
// payload validated and previewed as the person types, and the files downloaded.
// Everything it asks for is on this service; no outside request.
'use strict';

(() => {
  const DEBOUNCE_MS = 300;
  const TEMPLATE_POLL_MS = 400;
  const KEY_STORE = 'collabdocs.api-key';

  const $ = (id) => document.getElementById(id);
  const state = {
    kinds: [],
    kind: null,
    schemas: {},
    requestSchemas: {},
    editor: null,
    key: sessionStorage.getItem(KEY_STORE) || '',
    seq: 0,
    timer: null,
    jsonTimer: null,
    templates: null,
    // The Word or Excel template documents are filled into: {type, name, tags} of a named one,
    // {type, name, file, tags} of one uploaded; null for the kind's built-in layout.
    word: null,
    wordTemplates: [],
    uploaded: null,
  };

  // ---- talking to the service -------------------------------------------------------------

  async function api(path, options = {}) {
    const headers = Object.assign({}, options.headers || {});
    if (state.key) headers.Authorization = 'Bearer ' + state.key;
    const res = await fetch(path, Object.assign({}, options, { headers }));
    if (res.status === 401) {
      const p = await problem(res);
      showAuth(p.detail || p.title || '需要 API 密钥');
      throw new Unauthorized(p);
    }
    return res;
  }

  class Unauthorized extends Error {}

  async function problem(res) {
    try {
      return await res.json();
    } catch (_) {
      return { title: res.status + ' ' + res.statusText };
    }
  }

  function payloadRequest(body) {
    return { method: 'POST', headers: { 'Content-Type': 'application/json' }, body };
  }

  function styleQuery() {
    const style = $('style').value;
    return !$('style-field').hidden && style !== 'standard' ? '&style=' + style : '';
  }

  // ---- the API key ------------------------------------------------------------------------

  function showAuth(message) {
    $('auth').hidden = false;
    $('auth-message').textContent = message;
    $('api-key').value = state.key;
  }

  function useKey() {
    state.key = $('api-key').value.trim();
    if (state.key) sessionStorage.setItem(KEY_STORE, state.key);
    else sessionStorage.removeItem(KEY_STORE);
    $('auth').hidden = true;
    start();
  }

  // ---- the schema, made into a form -------------------------------------------------------

  // The payload schemas as JSON Editor reads them: references under #/definitions, optional
  // fields without their "or null" (an unchecked optional field is left out instead),
  // enumerations shown by their Chinese names, images as file pickers, times as time pickers.
  function formSchema(schema) {
    if (!isObject(schema)) return schema;
    let s = {};
    for (const [k, v] of Object.entries(schema)) {
      if (k === '$ref') s.$ref = v.replace('#/components/schemas/', '#/definitions/');
      else if (k === 'examples') continue;
      else if (k === 'properties') s.properties = mapValues(v, formSchema);
      else if (k === 'items' || k === 'additionalProperties') s[k] = formSchema(v);
      else if (k === 'anyOf' || k === 'oneOf' || k === 'allOf') s[k] = v.map(formSchema);
      else s[k] = v;
    }
    if (Array.isArray(s['x-property-order']) && s.properties) {
      s['x-property-order'].forEach((name, i) => {
        if (s.properties[name]) s.properties[name].propertyOrder = i + 1;
      });
    }
    if (Array.isArray(s.type)) {
      const types = s.type.filter((t) => t !== 'null');
      s.type = types.length === 1 ? types[0] : types;
    }
    if (Array.isArray(s.anyOf)) {
      const rest = s.anyOf.filter((a) => a.type !== 'null');
      if (rest.length === 1) {
        const { anyOf, ...outer } = s;
        s = Object.assign({}, rest[0], outer);
      }
    }
    s.options = Object.assign({}, s.options);
    if (Array.isArray(s.enum)) s.enum = s.enum.filter((e) => e !== null);
    if (s['x-enum-labels']) {
      const labels = s['x-enum-labels'];
      s.enum = s.enum.filter((e) => e in labels);
      s.options.enum_titles = s.enum.map((e) => labels[e]);
    }
    if (typeof s.pattern === 'string' && s.pattern.startsWith('^data:image/')) {
      s.media = { binaryEncoding: 'base64', type: 'image/png' };
    }
    if (s.pattern === '^([01][0-9]|2[0-3]):[0-5][0-9]$') s.format = 'time';
    if (s.description) {
      s.options.infoText = s.description;
      delete s.description;
    }
    if (s.type === 'array' && s.items && s.title && !s.items.title) {
      s.items = Object.assign({ title: s.title }, s.items);
    }
    if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') {
      s.options.disable_properties = false;
    }
    return s;
  }

  function resolve(schema) {
    let s = schema;
    for (let i = 0; s && s.$ref && i < 32; i++) {
      s = Object.assign({}, state.schemas[s.$ref.split('/').pop()], s, { $ref: undefined });
    }
    return s || {};
  }

  // Walks a payload beside its schema: `leaf` sees every value whose schema has Chinese
  // enumeration labels, `object` every object with its schema (to reorder its fields).
  function walk(value, schema, leaf, object) {
    const s = resolve(schema);
    if (typeof value === 'string' && s['x-enum-labels']) return leaf(value, s);
    for (const alt of s.anyOf || s.oneOf || []) {
      const r = resolve(alt);
      if ((r.type === 'object' && isObject(value)) || (r.type === 'array' && Array.isArray(value)) ||
          (r['x-enum-labels'] && typeof value === 'string')) {
        return walk(value, alt, leaf, object);
      }
    }
    if (Array.isArray(value) && s.items) return value.map((v) => walk(v, s.items, leaf, object));
    if (!isObject(value)) return value;
    const out = {};
    for (const k of object(value, s)) {
      const child = (s.properties && s.properties[k]) ||
        (typeof s.additionalProperties === 'object' ? s.additionalProperties : null);
      out[k] = child ? walk(value[k], child, leaf, object) : value[k];
    }
    return out;
  }

  // A payload may spell an enumeration by its Chinese label; the form's selects hold codes.
  function normalise(value, schema) {
    const code = (v, s) => Object.keys(s['x-enum-labels']).find((c) => s['x-enum-labels'][c] === v) || v;
    return walk(value, schema, code, (o) => Object.keys(o));
  }

  // The payload with its fields in their declared order (the form library sorts them).
  function ordered(value, schema) {
    const byOrder = (o, s) => {
      const order = s['x-property-order'] || [];
      return Object.keys(o).sort((a, b) => rank(order, a) - rank(order, b));
    };
    return walk(value, schema, (v) => v, byOrder);
  }

  const rank = (order, key) => (order.includes(key) ? order.indexOf(key) : order.length);

  const mapValues = (o, f) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));

  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

  function buildEditor(kind, payload) {
    if (state.editor) {
      // A field still being edited hands in its value first, to the editor it belongs to.
      if ($('form').contains(document.activeElement)) document.activeElement.blur();
      state.editor.destroy();
    }
    const ref = state.requestSchemas[kind];
    const definitions = {};
    for (const [name, schema] of Object.entries(state.schemas)) definitions[name] = formSchema(schema);
    const root = Object.assign({}, definitions[ref.split('/').pop()],
      { definitions, title: state.kind.title_zh });
    const editor = new window.JSONEditor($('form'), {
      schema: root,
      startval: normalise(payload, { $ref: ref }),
      theme: 'html',
      show_errors: 'never',
      show_opt_in: true,
      disable_edit_json: true,
      disable_properties: true,
      disable_array_delete_all_rows: true,
      disable_array_delete_last_row: true,
      array_controls_top: false,
      use_default_values: true,
      no_additional_properties: true,
    });
    state.editor = editor;
    editor.on('ready', () => {
      editor.on('change', () => {
        syncJson();
        schedule();
      });
      syncJson();
      refresh();
    });
  }

  function currentPayload() {
    if (!state.editor) return {};
    return ordered(state.editor.getValue(), { $ref: state.requestSchemas[state.kind.kind] });
  }

  function setPayload(value) {
    state.editor.setValue(normalise(value, { $ref: state.requestSchemas[state.kind.kind] }));
  }

  // ---- the JSON tab -----------------------------------------------------------------------

  function syncJson() {
    const box = $('json');
    if (document.activeElement === box) return;
    box.value = JSON.stringify(currentPayload(), null, 2);
  }

  function jsonEdited() {
    clearTimeout(state.jsonTimer);
    state.jsonTimer = setTimeout(() => {
      const err = $('json-error');
      try {
        const value = JSON.parse($('json').value);
        if (!isObject(value)) throw new Error('the payload must be a JSON object');
        err.hidden = true;
        setPayload(value);
      } catch (e) {
        err.hidden = false;
        err.textContent = 'JSON 有误：' + e.message;
      }
    }, DEBOUNCE_MS);
  }

  function showTab(json) {
    $('tab-form').setAttribute('aria-selected', String(!json));
    $('tab-json').setAttribute('aria-selected', String(json));
    $('form').hidden = json;
    $('json-pane').hidden = !json;
    if (json) syncJson();
  }

  // ---- validation and preview -------------------------------------------------------------

  function schedule() {
    clearTimeout(state.timer);
    state.timer = setTimeout(refresh, DEBOUNCE_MS);
  }

  async function refresh() {
    if (!state.kind) return;
    const seq = ++state.seq;
    const kind = state.kind.kind;
    const body = JSON.stringify(currentPayload());
    try {
      if (state.word) {
        const [checked, shown] = await Promise.all([
          api(`/v1/documents/${kind}/validate`, payloadRequest(body)),
          wordRequest('html', body),
        ]);
        if (seq !== state.seq) return;
        const verdict = await checked.json();
        if (checked.ok) showMessages([], verdict.warnings || []);
        else showMessages(verdict.errors || [], [], verdict);
        showWordTags(currentPayload());
        if (shown.ok) {
          showPreview(await shown.text());
          const what = state.word.type === 'excel' ? 'Excel 模板，可下载 XLSX' : 'Word 模板，可下载 DOCX';
          setStatus(checked.ok ? '已更新预览（' + what + '）' : '');
        } else if (checked.ok) {
          const p = await problem(shown);
          const detail = (p.errors || []).map((e) => e.message).join('；');
          setStatus('预览失败：' + (detail || p.detail || p.title), true);
        } else {
          setStatus('有错误，预览停在上一次有效的内容', true);
        }
        return;
      }
      const [checked, shown] = await Promise.all([
        api(`/v1/documents/${kind}/validate`, payloadRequest(body)),
        api(`/v1/documents/${kind}?format=html${styleQuery()}`, payloadRequest(body)),
      ]);
      if (seq !== state.seq) return;
      const verdict = await checked.json();
      if (checked.ok) showMessages([], verdict.warnings || []);
      else showMessages(verdict.errors || [], [], verdict);
      if (shown.ok) {
        showPreview(await shown.text());
        setStatus(checked.ok ? '已更新预览' : '');
      } else if (checked.ok) {
        const p = await problem(shown);
        setStatus('预览失败：' + (p.detail || p.title), true);
      } else {
        setStatus('有错误，预览停在上一次有效的内容', true);
      }
    } catch (e) {
      if (!(e instanceof Unauthorized)) setStatus('请求失败：' + e.message, true);
    }
  }

  function showPreview(html) {
    const frame = $('preview');
    let x = 0;
    let y = 0;
    try {
      x = frame.contentWindow.scrollX;
      y = frame.contentWindow.scrollY;
    } catch (_) { /* not loaded yet */ }
    frame.onload = () => {
      try { frame.contentWindow.scrollTo(x, y); } catch (_) { /* nothing to keep */ }
    };
    frame.srcdoc = html;
  }

  function setStatus(text, bad) {
    const s = $('status');
    s.textContent = text;
    s.classList.toggle('bad', Boolean(bad));
  }

  // Each error and warning at its field, found by JSON Pointer; what has no field of its
  // own goes to the nearest one that exists, or above the form.
  function showMessages(errors, warnings, verdict) {
    for (const el of document.querySelectorAll('#form .cd-msg')) el.remove();
    for (const el of document.querySelectorAll('#form .cd-invalid, #form .cd-warned')) {
      el.classList.remove('cd-invalid', 'cd-warned');
    }
    const top = $('messages');
    top.replaceChildren();
    const place = (item, kind) => {
      const p = document.createElement('p');
      p.className = 'cd-msg cd-' + kind;
      p.dataset.pointer = item.path;
      const field = editorAt(item.path);
      p.textContent = (kind === 'error' ? '错误' : '提示') + '：' + item.message +
        (field.exact ? '' : '（' + (item.path || '/') + '）');
      if (field.editor && field.editor.container && field.editor.path !== 'root') {
        field.editor.container.classList.add(kind === 'error' ? 'cd-invalid' : 'cd-warned');
        field.editor.container.appendChild(p);
      } else {
        top.appendChild(p);
      }
    };
    errors.forEach((e) => place(e, 'error'));
    warnings.forEach((w) => place(w, 'warning'));
    if (verdict && !errors.length && (verdict.detail || verdict.title)) {
      place({ path: '', message: verdict.detail || verdict.title }, 'error');
    }
    const counts = [];
    if (errors.length) counts.push(errors.length + ' 处错误');
    if (warnings.length) counts.push(warnings.length + ' 处提示');
    top.dataset.summary = counts.join(' · ');
  }

  function editorAt(pointer) {
    const parts = (pointer || '').split('/').slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    let path = ['root'].concat(parts).join('.');
    let exact = true;
    while (path !== 'root' && !state.editor.getEditor(path)) {
      path = path.slice(0, path.lastIndexOf('.'));
      exact = false;
    }
    return { editor: state.editor.getEditor(path), exact };
  }

  // ---- Word templates ---------------------------------------------------------------------

  // The form's data filled into the template in force, as `format` (docx, pdf, html or ofd of a
  // Word template; xlsx or html of an Excel one): a template from this browser is sent with the
  // data and kept nowhere.
  function wordRequest(format, payload) {
    const kind = state.kind.kind;
    if (state.word.file) {
      const form = new FormData();
      form.append('template', state.word.file);
      form.append('data', new Blob([payload], { type: 'application/json' }));
      form.append('kind', kind);
      return api(`/v1/render?format=${format}`, { method: 'POST', body: form });
    }
    const own = state.kind.word_template || state.kind.excel_template;
    const named = own ? '' : '&template=' + encodeURIComponent(state.word.name);
    return api(`/v1/documents/${kind}?format=${format}${named}`, payloadRequest(payload));
  }

  // Whether the payload has what a tag reads: `doc.a.b`, `doc.list[].field` (every item),
  // `derived.*` and `page.*` (the service computes them).
  function presence(path, payload) {
    if (!path.startsWith('doc.') && path !== 'doc') return 'computed';
    let values = [{ doc: payload }];
    for (const part of path.split('.')) {
      const each = part.endsWith('[]');
      const key = each ? part.slice(0, -2) : part;
      values = values.flatMap((v) => {
        const x = isObject(v) ? v[key] : undefined;
        if (!each) return [x];
        return Array.isArray(x) ? x : [undefined];
      });
    }
    const has = values.filter((v) => v !== undefined && v !== null && v !== '');
    if (!values.length) return 'empty';
    return has.length === values.length ? 'yes' : (has.length ? 'some' : 'no');
  }

  const PRESENCE = { yes: '有', some: '部分条目有', no: '没有', computed: '服务计算', empty: '列表为空' };

  function showWordTags(payload) {
    const rows = (state.word.tags || []).filter((t) => t.does !== 'comment').map((t) => {
      const tr = document.createElement('tr');
      const binds = t.binds || [];
      const found = binds.map((b) => presence(b, payload));
      const worst = found.includes('no') ? 'no' : found.includes('some') ? 'some' : found[0];
      const cells = [t.text, t.part.replace('word/', ''), t.paragraph, binds.join('、'),
        worst ? PRESENCE[worst] : '—'];
      cells.forEach((text, i) => {
        const td = document.createElement('td');
        td.textContent = text;
        if (i === 4 && worst === 'no') td.className = 'missing';
        if (i === 4 && worst === 'yes') td.className = 'present';
        tr.appendChild(td);
      });
      return tr;
    });
    $('word-tags').tBodies[0].replaceChildren(...rows);
    const what = state.word.type === 'excel' ? 'Excel 模板：' : 'Word 模板：';
    $('word-title').textContent = what + state.word.name + '（' + rows.length + ' 个标签）';
  }

  // Shows the built-in layout's preview, or the Word template's tags, and the downloads that
  // apply (a Word template is filled as DOCX, or laid out as PDF).
  function showMode() {
    const word = Boolean(state.word);
    $('word-pane').hidden = !word;
    const formats = word ? (state.word.type === 'excel' ? ['xlsx'] : ['docx', 'pdf', 'ofd'])
      : (state.kind.formats || []);
    for (const b of document.querySelectorAll('[data-download]')) {
      const signed = b.dataset.sign === 'true';
      b.hidden = signed ? (word || !state.kind.signable) : !formats.includes(b.dataset.download);
    }
    $('style-field').hidden = word || !(state.kind.styles || []).includes('official');
  }

  async function loadWordTemplate(name) {
    const res = await api('/v1/templates/word/' + encodeURIComponent(name));
    if (!res.ok) {
      const p = await problem(res);
      throw new Error(p.detail || p.title);
    }
    const info = await res.json();
    return { type: 'word', name, tags: info.tags };
  }

  // What an Excel template reads, as rows of the tag table: each cell with tags (its sheet
  // and cell), each loop over rows, each condition over rows, each sheet repeated per item.
  function excelTags(info) {
    const rows = [];
    for (const s of info.repeated_sheets || []) {
      rows.push({ text: '工作表 {{#each ' + s.over + '}}', part: s.sheet, paragraph: '每项一个工作表', binds: [s.over] });
    }
    for (const l of info.loops || []) {
      rows.push({ text: '{{#each ' + l.over + '}}', part: l.sheet, paragraph: '第 ' + l.rows + ' 行（每项重复）', binds: [l.over] });
    }
    for (const c of info.conditions || []) {
      const h = c.unless ? 'unless' : 'if';
      rows.push({ text: '{{#' + h + ' ' + c.when + '}}', part: c.sheet, paragraph: '第 ' + c.rows + ' 行（条件显示）', binds: [] });
    }
    for (const c of info.cells || []) {
      rows.push({ text: c.text, part: c.sheet, paragraph: c.cell, binds: c.binds || [] });
    }
    return rows;
  }

  async function loadExcelTemplate(name) {
    const res = await api('/v1/templates/excel/' + encodeURIComponent(name));
    if (!res.ok) {
      const p = await problem(res);
      throw new Error(p.detail || p.title);
    }
    return { type: 'excel', name, tags: excelTags(await res.json()) };
  }

  async function chooseWord(name) {
    if (!name) {
      state.word = null;
    } else if (name.startsWith('upload:')) {
      state.word = state.uploaded;
    } else if (name.startsWith('excel:')) {
      state.word = await loadExcelTemplate(name.slice(6));
    } else {
      state.word = await loadWordTemplate(name);
    }
    showMode();
    refresh();
  }

  // The Word and Excel templates of the kind, in the select; a kind a folder defines has its
  // own.
  async function listWordTemplates(kind) {
    const select = $('word');
    select.replaceChildren(select.options[0]);
    state.uploaded = null;
    if (kind.word_template || kind.excel_template) {
      $('word-field').hidden = true;
      state.word = kind.word_template ? await loadWordTemplate(kind.word_template)
        : await loadExcelTemplate(kind.excel_template);
      return;
    }
    state.word = null;
    const [words, books] = await Promise.all([api('/v1/templates/word'), api('/v1/templates/excel')]);
    state.wordTemplates = words.ok ? await words.json() : [];
    const excel = books.ok ? await books.json() : [];
    for (const t of state.wordTemplates.filter((w) => w.kind === kind.kind)) {
      const o = document.createElement('option');
      o.value = t.name;
      o.textContent = t.name + '（Word）';
      select.appendChild(o);
    }
    for (const t of excel.filter((w) => w.kind === kind.kind)) {
      const o = document.createElement('option');
      o.value = 'excel:' + t.name;
      o.textContent = t.name + '（Excel）';
      select.appendChild(o);
    }
    $('word-field').hidden = select.options.length < 2;
    select.value = '';
  }

  // A .docx or .xlsx from this computer: what it reads told by the service (nothing kept),
  // then used like a named template, the downloads filling it with the form's data.
  async function uploadWord(file) {
    setStatus('正在读取 ' + file.name + ' …');
    const excel = /\.xlsx$/i.test(file.name) || file.type.includes('spreadsheetml');
    try {
      const res = await api(excel ? '/v1/templates/excel/inspect' : '/v1/templates/word/inspect', {
        method: 'POST',
        headers: {
          'Content-Type': excel ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
            : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        },
        body: file,
      });
      const info = await res.json();
      if (!res.ok) {
        const detail = (info.errors || []).map((e) => e.message).join('；') || info.detail || info.title;
        setStatus('无法使用 ' + file.name + '：' + detail, true);
        return;
      }
      if (state.kind.word_template || state.kind.excel_template) await chooseKind(DEFAULT_KIND);
      state.uploaded = excel ? { type: 'excel', name: file.name, file, tags: excelTags(info) }
        : { type: 'word', name: file.name, file, tags: info.tags };
      const select = $('word');
      for (const o of [...select.options]) if (o.value.startsWith('upload:')) o.remove();
      const o = document.createElement('option');
      o.value = 'upload:' + file.name;
      o.textContent = '上传：' + file.name;
      select.appendChild(o);
      select.value = o.value;
      $('word-field').hidden = false;
      await chooseWord(o.value);
    } catch (e) {
      if (!(e instanceof Unauthorized)) setStatus('无法读取 ' + file.name + '：' + e.message, true);
    }
  }

  const DEFAULT_KIND = 'meeting-minutes';

  // ---- downloads, import, export ----------------------------------------------------------

  async function download(format, sign) {
    const kind = state.kind.kind;
    const query = `format=${format}` + (sign ? '&sign=true' : styleQuery());
    setStatus('正在生成 ' + format.toUpperCase() + ' …');
    try {
      const payload = JSON.stringify(currentPayload());
      let res;
      if (state.word) {
        res = await wordRequest(format, payload);
      } else {
        res = await api(`/v1/documents/${kind}?${query}`, payloadRequest(payload));
      }
      if (!res.ok) {
        const p = await problem(res);
        const detail = (p.errors || []).map((e) => `${e.path} ${e.message}`).join('；');
        setStatus(`${p.title || res.status}：${p.detail || ''}${detail ? ' ' + detail : ''}`, true);
        return;
      }
      const name = fileName(res.headers.get('Content-Disposition')) || `${kind}.${format}`;
      save(await res.blob(), name);
      setStatus('已下载 ' + name);
    } catch (e) {
      if (!(e instanceof Unauthorized)) setStatus('下载失败：' + e.message, true);
    }
  }

  // The UTF-8 name (filename*) if given, else the plain one.
  function fileName(disposition) {
    if (!disposition) return null;
    const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
    if (star) return decodeURIComponent(star[1]);
    const plain = /filename="?([^";]+)"?/i.exec(disposition);
    return plain ? plain[1] : null;
  }

  function save(blob, name) {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(() => {
      URL.revokeObjectURL(a.href);
      a.remove();
    }, 1000);
  }

  function importFile(file) {
    const reader = new FileReader();
    reader.onload = () => {
      try {
        const value = JSON.parse(reader.result);
        if (!isObject(value)) throw new Error('the payload must be a JSON object');
        setPayload(value);
        setStatus('已导入 ' + file.name);
      } catch (e) {
        setStatus('无法导入 ' + file.name + '：' + e.message, true);
      }
    };
    reader.readAsText(file);
  }

  function exportJson() {
    const text = JSON.stringify(currentPayload(), null, 2) + '\n';
    save(new Blob([text], { type: 'application/json' }), state.kind.kind + '.json');
  }

  // ---- templates being edited on disk -----------------------------------------------------

  async function watchTemplates() {
    try {
      const res = await api('/v1/templates');
      const info = await res.json();
      const banner = $('template-error');
      if (info.error) {
        const e = info.error;
        const where = e.line ? `第 ${e.line} 行第 ${e.column} 列` : '';
        banner.textContent = `模板 ${e.template} ${where}有错误，预览仍用上一版有效模板：${e.message}`;
        banner.hidden = false;
      } else {
        banner.hidden = true;
      }
      if (state.templates !== null && info.generation !== state.templates) refresh();
      state.templates = info.generation;
      if (info.watching) setTimeout(watchTemplates, TEMPLATE_POLL_MS);
    } catch (_) {
      setTimeout(watchTemplates, TEMPLATE_POLL_MS * 5);
    }
  }

  // ---- choosing a kind --------------------------------------------------------------------

  async function chooseKind(slug) {
    const kind = state.kinds.find((k) => k.kind === slug) || state.kinds[0];
    state.kind = kind;
    $('kind').value = kind.kind;
    if (location.hash.slice(1) !== kind.kind) history.replaceState(null, '', '#' + kind.kind);
    if (!(kind.styles || []).includes('official')) $('style').value = 'standard';
    await listWordTemplates(kind);
    showMode();
    const res = await api(kind.example_url);
    if (!res.ok) {
      const p = await problem(res);
      setStatus('无法读取示例：' + (p.detail || p.title), true);
      return;
    }
    const example = await res.json();
    // Another kind chosen while this example was on its way: that one wins.
    if (state.kind !== kind) return;
    buildEditor(kind.kind, example);
  }

  async function start() {
    try {
      const res = await api('/v1/kinds');
      if (!res.ok) {
        const p = await problem(res);
        setStatus('无法读取文档类型：' + (p.detail || p.title), true);
        return;
      }
      state.kinds = await res.json();
      const select = $('kind');
      select.replaceChildren(...state.kinds.map((k) => {
        const o = document.createElement('option');
        o.value = k.kind;
        o.textContent = `${k.title_zh} · ${k.title_en}`;
        return o;
      }));
      await chooseKind(location.hash.slice(1));
      watchTemplates();
    } catch (e) {
      if (!(e instanceof Unauthorized)) setStatus('启动失败：' + e.message, true);
    }
  }

  async function init() {
    Object.assign(window.JSONEditor.defaults.languages, { zh: ZH });
    window.JSONEditor.defaults.language = 'zh';
    const spec = await fetch('/openapi.json');
    if (!spec.ok) throw new Error('/openapi.json answered ' + spec.status);
    const doc = await spec.json();
    state.schemas = doc.components.schemas;
    for (const [path, item] of Object.entries(doc.paths)) {
      const m = /^\/v1\/documents\/([^/]+)$/.exec(path);
      if (m) state.requestSchemas[m[1]] = item.post.requestBody.content['application/json'].schema.$ref;
    }
    // JSON Editor takes a text field's value on "change" (when it loses focus); the studio
    // previews as the person types, so every keystroke (after an IME composition ends) is
    // passed on as a change.
    const typed = (e) => {
      const t = e.target;
      if (e.isComposing || !(t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement)) return;
      if (t.type === 'file' || t.type === 'checkbox') return;
      t.dispatchEvent(new Event('change', { bubbles: true }));
    };
    $('form').addEventListener('input', typed);
    $('form').addEventListener('compositionend', typed);
    $('kind').addEventListener('change', (e) => {
      chooseKind(e.target.value).catch((err) => {
        if (!(err instanceof Unauthorized)) setStatus('无法切换：' + err.message, true);
      });
    });
    $('style').addEventListener('change', refresh);
    $('word').addEventListener('change', (e) => {
      chooseWord(e.target.value).catch((err) => {
        if (!(err instanceof Unauthorized)) setStatus('无法使用该模板：' + err.message, true);
      });
    });
    $('upload-word').addEventListener('click', () => $('upload-word-file').click());
    $('upload-word-file').addEventListener('change', (e) => {
      if (e.target.files[0]) uploadWord(e.target.files[0]);
      e.target.value = '';
    });
    $('api-key-save').addEventListener('click', useKey);
    $('api-key').addEventListener('keydown', (e) => { if (e.key === 'Enter') useKey(); });
    $('tab-form').addEventListener('click', () => showTab(false));
    $('tab-json').addEventListener('click', () => showTab(true));
    $('json').addEventListener('input', jsonEdited);
    $('import').addEventListener('click', () => $('import-file').click());
    $('import-file').addEventListener('change', (e) => {
      if (e.target.files[0]) importFile(e.target.files[0]);
      e.target.value = '';
    });
    $('export').addEventListener('click', exportJson);
    for (const b of document.querySelectorAll('[data-download]')) {
      b.addEventListener('click', () => download(b.dataset.download, b.dataset.sign === 'true'));
    }
    start();
  }

  const ZH = {
    error_notset: '必须填写',
    error_notempty: '不能为空',
    button_add_row_title: '添加{{0}}',
    button_delete_row_title: '删除{{0}}',
    button_delete_row_title_short: '删除',
    button_move_down_title: '下移',
    button_move_up_title: '上移',
    button_collapse: '收起',
    button_expand: '展开',
    button_properties: '属性',
    button_object_properties: '属性',
    button_add: '添加',
    button_save: '保存',
    button_cancel: '取消',
    button_copy_row_title: '复制{{0}}',
    button_copy_row_title_short: '复制',
    button_delete_all: '全部',
    button_delete_all_title: '全部删除',
    button_delete_last: '最后一项{{0}}',
    button_delete_last_title: '删除最后一项{{0}}',
    button_edit_json: '编辑 JSON',
    button_upload: '上传',
    button_delete_node_warning: '确定删除这一项吗？',
    default_array_item_title: '项',
    choices_placeholder_text: '输入以添加',
    upload_max_size: '文件过大',
  };

  init().catch((e) => setStatus('启动失败：' + e.message, true));
})();
