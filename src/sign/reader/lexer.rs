//! The tokenizer the reader parses PDF syntax with: values, names, strings, numbers, from
//! any offset in the file, nesting bounded.

use super::{Obj, MAX_DEPTH};

/// A tokenizer over PDF syntax, starting anywhere in the file.
pub(super) struct Lexer<'a> {
    b: &'a [u8],
    pub(super) at: usize,
    /// Values read so far: every 65,536 the request's deadline is checked.
    values: usize,
}

fn is_delim(c: u8) -> bool {
    matches!(
        c,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

impl<'a> Lexer<'a> {
    pub(super) fn new(b: &'a [u8], at: usize) -> Self {
        Self {
            b,
            at: at.min(b.len()),
            values: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.at).copied()
    }

    pub(super) fn skip_space(&mut self) {
        while let Some(c) = self.peek() {
            if is_space(c) {
                self.at += 1;
            } else if c == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.at += 1;
                }
            } else {
                break;
            }
        }
    }

    /// A run of regular characters.
    fn word(&mut self) -> &'a [u8] {
        self.skip_space();
        let start = self.at;
        while let Some(c) = self.peek() {
            if is_space(c) || is_delim(c) {
                break;
            }
            self.at += 1;
        }
        &self.b[start..self.at]
    }

    pub(super) fn keyword(&mut self) -> Option<String> {
        let w = self.word();
        (!w.is_empty()).then(|| String::from_utf8_lossy(w).into_owned())
    }

    pub(super) fn int(&mut self) -> Option<i64> {
        std::str::from_utf8(self.word()).ok()?.parse().ok()
    }

    pub(super) fn value(&mut self, depth: usize) -> Result<Obj, String> {
        if depth > MAX_DEPTH {
            return Err("objects are nested too deeply".into());
        }
        self.values += 1;
        crate::budget::check_every(self.values, 65_536)?;
        self.skip_space();
        match self
            .peek()
            .ok_or_else(|| bad("the file ends inside an object"))?
        {
            b'/' => {
                self.at += 1;
                Ok(Obj::Name(self.name()))
            }
            b'[' => self.array(depth),
            b'<' if self.b.get(self.at + 1) == Some(&b'<') => self.dict(depth),
            b'<' => self.hex_string(),
            b'(' => self.literal_string(),
            _ => self.word_value(),
        }
    }

    /// The characters of a name, after its slash.
    fn name(&mut self) -> String {
        let start = self.at;
        while let Some(c) = self.peek() {
            if is_space(c) || is_delim(c) {
                break;
            }
            self.at += 1;
        }
        String::from_utf8_lossy(&self.b[start..self.at]).into_owned()
    }

    fn array(&mut self, depth: usize) -> Result<Obj, String> {
        self.at += 1;
        let mut items = Vec::new();
        loop {
            self.skip_space();
            match self.peek() {
                Some(b']') => {
                    self.at += 1;
                    return Ok(Obj::Array(items));
                }
                None => return Err(bad("an array is not closed")),
                _ => items.push(self.value(depth + 1)?),
            }
        }
    }

    /// A dictionary; each value keeps the byte range it was written in.
    fn dict(&mut self, depth: usize) -> Result<Obj, String> {
        self.at += 2;
        let mut entries = Vec::new();
        loop {
            self.skip_space();
            match self.peek() {
                Some(b'>') if self.b.get(self.at + 1) == Some(&b'>') => {
                    self.at += 2;
                    return Ok(Obj::Dict(entries));
                }
                Some(b'/') => {
                    self.at += 1;
                    let key = self.name();
                    self.skip_space();
                    let start = self.at;
                    let v = self.value(depth + 1)?;
                    entries.push((key, v, start..self.at));
                }
                _ => return Err(bad("a dictionary key is not a name")),
            }
        }
    }

    fn hex_string(&mut self) -> Result<Obj, String> {
        self.at += 1;
        let start = self.at;
        let end = start
            + self.b[start..]
                .iter()
                .position(|&c| c == b'>')
                .ok_or_else(|| bad("a hexadecimal string is not closed"))?;
        self.at = end + 1;
        let digits: Vec<u8> = self.b[start..end]
            .iter()
            .copied()
            .filter(|c| !is_space(*c))
            .collect();
        let hex = |c: u8| {
            (c as char)
                .to_digit(16)
                .map(|d| d as u8)
                .ok_or_else(|| bad("a bad hexadecimal string"))
        };
        let mut out = Vec::with_capacity(digits.len() / 2 + 1);
        for pair in digits.chunks(2) {
            let lo = pair.get(1).map_or(Ok(0), |&c| hex(c))?;
            out.push(hex(pair[0])? << 4 | lo);
        }
        Ok(Obj::Str(out))
    }

    fn literal_string(&mut self) -> Result<Obj, String> {
        self.at += 1;
        let mut out = Vec::new();
        let mut level = 1;
        while let Some(c) = self.peek() {
            self.at += 1;
            match c {
                b'\\' => {
                    if let Some(byte) = self.escape()? {
                        out.push(byte);
                    }
                }
                b'(' => {
                    level += 1;
                    out.push(c);
                }
                b')' => {
                    level -= 1;
                    if level == 0 {
                        return Ok(Obj::Str(out));
                    }
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
        Err(bad("a string is not closed"))
    }

    /// The byte a backslash escape in a literal string stands for (`None`: a line
    /// continuation).
    fn escape(&mut self) -> Result<Option<u8>, String> {
        let e = self.peek().ok_or_else(|| bad("a string is not closed"))?;
        self.at += 1;
        Ok(Some(match e {
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'b' => 8,
            b'f' => 12,
            b'0'..=b'7' => {
                let mut n = u32::from(e - b'0');
                for _ in 0..2 {
                    match self.peek() {
                        Some(d @ b'0'..=b'7') => {
                            n = n * 8 + u32::from(d - b'0');
                            self.at += 1;
                        }
                        _ => break,
                    }
                }
                n as u8
            }
            b'\r' | b'\n' => return Ok(None),
            other => other,
        }))
    }

    /// `null`, `true`, `false`, a number, or a reference `N G R`.
    fn word_value(&mut self) -> Result<Obj, String> {
        let start = self.at;
        let w = self.word();
        if w.is_empty() {
            return Err(bad("an unexpected character"));
        }
        let text = std::str::from_utf8(w).map_err(|_| bad("an unreadable token"))?;
        match text {
            "null" => return Ok(Obj::Null),
            "true" => return Ok(Obj::Bool(true)),
            "false" => return Ok(Obj::Bool(false)),
            _ => {}
        }
        if let Ok(n) = text.parse::<i64>() {
            let save = self.at;
            if let (Some(_gen), Some("R")) = (self.int(), self.keyword().as_deref()) {
                return u32::try_from(n)
                    .map(Obj::Ref)
                    .map_err(|_| bad("a reference out of range"));
            }
            self.at = save;
            return Ok(Obj::Int(n));
        }
        if let Ok(x) = text.parse::<f64>() {
            return Ok(Obj::Real(x));
        }
        self.at = start;
        Err(bad(&format!(
            "an unexpected word `{}`",
            text.chars().take(20).collect::<String>()
        )))
    }
}

fn bad(what: &str) -> String {
    format!("cannot read the PDF: {what}")
}
