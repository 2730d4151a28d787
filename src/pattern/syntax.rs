//! Reasons for pattern text that is not JSON, worded as AWS's JSON reader words them
//! (docs/patterns.md). Only the first problem is reported, as AWS does.

const VALUE_KINDS: &str = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

fn show(c: char) -> String {
    if (c as u32) < 32 {
        format!("(CTRL-CHAR, code {})", c as u32)
    } else {
        format!("('{c}' (code {}))", c as u32)
    }
}

struct Reader<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
}

impl Reader<'_> {
    fn ws(&mut self) -> Option<char> {
        while let Some(&c) = self.chars.peek() {
            if matches!(c, ' ' | '\t' | '\n' | '\r') {
                self.chars.next();
            } else {
                return Some(c);
            }
        }
        None
    }

    fn string(&mut self) -> Result<(), String> {
        self.chars.next();
        while let Some(c) = self.chars.next() {
            match c {
                '"' => return Ok(()),
                '\\' => {
                    self.chars.next();
                }
                c if (c as u32) < 32 => {
                    return Err(format!(
                        "Illegal unquoted character {}: has to be escaped using backslash to be included in string value",
                        show(c)
                    ))
                }
                _ => {}
            }
        }
        Err("Unexpected end-of-input in VALUE_STRING".into())
    }

    fn value(&mut self, depth: usize) -> Result<(), String> {
        // `depth` containers are open; the reader refuses one more past AWS's limit.
        if depth >= crate::json::MAX_DEPTH && matches!(self.ws(), Some('{' | '[')) {
            return Err(crate::json::depth_message(depth + 1));
        }
        let Some(c) = self.ws() else {
            return Err("Unexpected end-of-input".into());
        };
        match c {
            '{' => self.container(depth, '}', "Object"),
            '[' => self.container(depth, ']', "Array"),
            '"' => self.string(),
            '-' | '0'..='9' => {
                while self
                    .chars
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
                {
                    self.chars.next();
                }
                Ok(())
            }
            c if c.is_alphabetic() || c == '_' || c == '$' => {
                let mut tok = String::new();
                while let Some(&c) = self.chars.peek() {
                    if c.is_alphanumeric() || c == '_' || c == '$' {
                        tok.push(c);
                        self.chars.next();
                    } else {
                        break;
                    }
                }
                if ["true", "false", "null"].contains(&tok.as_str()) {
                    Ok(())
                } else {
                    Err(format!(
                        "Unrecognized token '{tok}': was expecting {VALUE_KINDS}"
                    ))
                }
            }
            c => Err(format!(
                "Unexpected character {}: expected a valid value {VALUE_KINDS}",
                show(c)
            )),
        }
    }

    fn container(&mut self, depth: usize, close: char, kind: &str) -> Result<(), String> {
        self.chars.next();
        let object = close == '}';
        if self.ws() == Some(close) {
            self.chars.next();
            return Ok(());
        }
        loop {
            if object {
                match self.ws() {
                    Some('"') => self.string()?,
                    Some(c) => {
                        return Err(format!(
                        "Unexpected character {}: was expecting double-quote to start field name",
                        show(c)
                    ))
                    }
                    None => {
                        return Err(format!(
                            "Unexpected end-of-input: expected close marker for {kind}"
                        ))
                    }
                }
                match self.ws() {
                    Some(':') => {
                        self.chars.next();
                    }
                    Some(c) => {
                        return Err(format!(
                            "Unexpected character {}: was expecting a colon to separate field name and value",
                            show(c)
                        ))
                    }
                    None => return Err(format!("Unexpected end-of-input: expected close marker for {kind}")),
                }
            }
            if object || self.ws().is_some() {
                crate::json::deeper(depth, || self.value(depth + 1))?;
            }
            match self.ws() {
                Some(',') => {
                    self.chars.next();
                }
                Some(c) if c == close => {
                    self.chars.next();
                    return Ok(());
                }
                Some(c) => {
                    return Err(format!(
                        "Unexpected character {}: was expecting comma to separate {kind} entries",
                        show(c)
                    ))
                }
                None => {
                    return Err(format!(
                        "Unexpected end-of-input: expected close marker for {kind}"
                    ))
                }
            }
        }
    }
}

/// The reason AWS would give for `text`, which serde_json has refused.
pub(crate) fn reason(text: &str) -> String {
    let mut r = Reader {
        chars: text.chars().peekable(),
    };
    match r.value(0) {
        Err(e) => e,
        Ok(()) => match r.ws() {
            // Trailing content after a complete value.
            Some(c) => format!("Unexpected character {}: expected end of input", show(c)),
            None => "Filter is not valid JSON".into(),
        },
    }
}
