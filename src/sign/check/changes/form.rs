//! What a later revision may do to the form and the pages: add signature fields that carry
//! a signature, sign a field that was empty, add their widgets to the pages' annotations.

use std::collections::HashSet;

use super::*;

impl Cx<'_, '_> {
    /// The form: its fields may gain signature fields, its `/SigFlags` may be set;
    /// nothing else changes.
    pub(super) fn form(&self, a: &Obj, b: &Obj, ex: &mut Explained) -> Result<(), String> {
        if !same(a, b, &["Fields", "SigFlags"]) {
            return Err("the form was changed beyond new signature fields".into());
        }
        let fields = |form: &Obj, table: &Table| -> Result<Option<Obj>, String> {
            form.get("Fields")
                .map(|f| resolve(self.file, table, f))
                .transpose()
        };
        if let Some(Obj::Ref(n)) = b.get("Fields") {
            if differs(a.get("Fields"), b.get("Fields")) {
                self.added_or_same(*n, None, "the form's fields")?;
                ex.objects.insert(*n);
            }
        }
        let (old, new) = (fields(a, self.old)?, fields(b, self.new)?);
        self.fields(old.as_ref(), new.as_ref(), ex)
    }

    /// A list of fields: every field signed stays; each one added is a new signature field
    /// with its signature.
    pub(super) fn fields(
        &self,
        a: Option<&Obj>,
        b: Option<&Obj>,
        ex: &mut Explained,
    ) -> Result<(), String> {
        let old: HashSet<u32> = a.map(refs_of).unwrap_or_default().into_iter().collect();
        let new = b.map(refs_of).unwrap_or_default();
        let new_set: HashSet<u32> = new.iter().copied().collect();
        if !old.is_subset(&new_set) {
            return Err("an existing form field was removed".into());
        }
        if b.and_then(Obj::as_array)
            .is_some_and(|l| l.iter().any(|f| !matches!(f, Obj::Ref(_))))
        {
            return Err("a form field was written inside the field list".into());
        }
        // Two fields of one name: a reader may show one and check the other (pyHanko refuses
        // a revision that makes them, as this does).
        let mut names = HashSet::new();
        for (k, &num) in new.iter().enumerate() {
            crate::budget::check_every(k, 256)?;
            let field = self.file.object_in(self.new, num)?;
            if let Some(name) = crate::sign::check::text_string(field.value.get("T")) {
                if !names.insert(name.clone()) {
                    return Err(format!(
                        "two form fields are named {name}: a reader may show one and check the other"
                    ));
                }
            }
        }
        for num in new.into_iter().filter(|n| !old.contains(n)) {
            self.new_signature_field(num, ex)?;
        }
        Ok(())
    }

    /// A field added after signing: a signature field holding a signature (a signature
    /// dictionary added with it), its widgets added with it.
    pub(super) fn new_signature_field(&self, num: u32, ex: &mut Explained) -> Result<(), String> {
        if !self.added.contains(&num) {
            return Err(format!(
                "object {num}, used in the signed document, was made a form field"
            ));
        }
        let field = self.file.object_in(self.new, num)?;
        let f = &field.value;
        if f.get("FT").and_then(Obj::as_name) != Some("Sig") {
            return Err("a form field that is not a signature was added".into());
        }
        let Some(Obj::Ref(v)) = f.get("V") else {
            return Err(
                "a signature field without a signature was added (an empty field may draw anything over the page)"
                    .into(),
            );
        };
        self.signature_value(*v, ex)?;
        ex.objects.insert(num);
        let kids = f.get("Kids").map(refs_of).unwrap_or_default();
        if kids.is_empty() {
            ex.widgets.insert(num);
        }
        for kid in kids {
            if !self.added.contains(&kid) {
                return Err(format!(
                    "object {kid}, used in the signed document, was made a signature's widget"
                ));
            }
            let widget = self.file.object_in(self.new, kid)?;
            if widget.value.get("T").is_some() {
                return Err("a new signature field has fields of its own".into());
            }
            ex.objects.insert(kid);
            ex.widgets.insert(kid);
            self.explain_entries(&widget.value, &["AP"], ex)?;
        }
        self.explain_entries(f, &["AP", "Lock", "SV"], ex)
    }

    /// A signature field's new value: a signature or document time-stamp dictionary added
    /// after signing.
    pub(super) fn signature_value(&self, v: u32, ex: &mut Explained) -> Result<(), String> {
        if !self.added.contains(&v) {
            return Err(format!(
                "a signature field's value is object {v}, which the signed document already used"
            ));
        }
        let sig = self.file.object_in(self.new, v)?;
        if !matches!(
            sig.value.get("Type").and_then(Obj::as_name),
            Some("Sig" | "DocTimeStamp")
        ) || sig.value.get("Contents").is_none()
        {
            return Err("a signature field's value is not a signature".into());
        }
        self.explain_tree(v, ex)
    }

    /// A signature field that was empty when signed (or its widget) being signed: only its
    /// value and appearance change.
    pub(super) fn signing(
        &self,
        num: u32,
        a: &Obj,
        b: &Obj,
        ex: &mut Explained,
    ) -> Result<(), String> {
        let is_field = self.signed.empty_fields.contains(&num);
        let keys: &[&str] = if is_field {
            &SIGNING_KEYS
        } else {
            &SIGNING_KEYS[1..]
        };
        if !same(a, b, keys) {
            return Err(format!(
                "signature field {num} was changed beyond its signature"
            ));
        }
        if is_field && differs(a.get("V"), b.get("V")) {
            match b.get("V") {
                Some(Obj::Ref(v)) => self.signature_value(*v, ex)?,
                _ => {
                    return Err(format!(
                        "signature field {num} was given a value that is not a signature"
                    ))
                }
            }
            if b.get("Kids").is_none() {
                ex.widgets.insert(num);
            }
        }
        if differs(a.get("AP"), b.get("AP")) {
            self.explain_entries(b, &["AP"], ex)?;
        }
        Ok(())
    }

    /// A page's annotations: every one signed stays; each one added is the widget of a
    /// signature added after signing.
    pub(super) fn annotations(
        &self,
        a: Option<&Obj>,
        b: Option<&Obj>,
        ex: &mut Explained,
    ) -> Result<(), String> {
        if let (Some(Obj::Ref(n)), true) = (b, differs(a, b)) {
            self.added_or_same(*n, a, "a page's annotations")?;
            ex.objects.insert(*n);
        }
        let list = |o: Option<&Obj>, table: &Table| -> Result<Vec<u32>, String> {
            Ok(match o {
                Some(o) => refs_of(&resolve(self.file, table, o)?),
                None => Vec::new(),
            })
        };
        let old: HashSet<u32> = list(a, self.old)?.into_iter().collect();
        let new = list(b, self.new)?;
        let new_set: HashSet<u32> = new.iter().copied().collect();
        if !old.is_subset(&new_set) {
            return Err("an existing annotation was removed".into());
        }
        if let Some(n) = new
            .iter()
            .find(|n| !old.contains(n) && !ex.widgets.contains(n))
        {
            return Err(format!(
                "an annotation that is not a new signature's widget was added (object {n})"
            ));
        }
        Ok(())
    }
}
