//! API keys, their roles, and the browsers' origins: `keys.toml`.
//!
//! ```toml
//! # Pages on these origins may call the server from a browser (CORS).
//! cors_origins = ["https://www.riverton.gov"]
//!
//! [[keys]]
//! name = "riverton-app"
//! role = "client"                      # may submit requests
//! sha256 = "5e88489..."                 # the key's SHA-256, never the key
//!
//! [[keys]]
//! name = "public-works-crew"
//! role = "staff"                       # may update, read personal data and internal notes
//! departments = ["DPW"]                # optional: only these departments' requests
//! sha256 = "..."
//! ```
//!
//! A key is stored as the hex SHA-256 of its text: the file gives no key
//! to whoever reads it. `civic311 serve --new-key NAME:ROLE` makes a key,
//! prints it once, and prints the lines to add to the file. Keys are long
//! random strings, so one round of SHA-256 is enough (a slow password hash
//! is for secrets people choose).

use std::collections::HashMap;
use std::path::Path;

use civic311::{Error, ErrorKind, Result};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// May submit requests.
    Client,
    /// May also update requests, read personal data and internal notes,
    /// optionally of some departments only.
    Staff,
    /// May do everything.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Staff => "staff",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "client" => Some(Role::Client),
            "staff" => Some(Role::Staff),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// One key of `keys.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub name: String,
    pub role: Role,
    /// The departments a staff key is limited to; empty for all.
    pub departments: Vec<String>,
}

impl Key {
    /// Whether the key may see a request's personal data and internal
    /// notes, and update it: staff of its department (or of every one), or
    /// an admin.
    pub fn is_staff_for(&self, department: Option<&str>) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Staff => {
                self.departments.is_empty() || department.is_some_and(|d| self.departments.iter().any(|own| own == d))
            }
            Role::Client => false,
        }
    }
}

/// The keys and the allowed origins.
#[derive(Debug, Clone, Default)]
pub struct Keys {
    by_hash: HashMap<[u8; 32], Key>,
    /// Origins whose pages may call the server (CORS); `*` for any.
    pub cors_origins: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    cors_origins: Vec<String>,
    #[serde(default)]
    keys: Vec<FileKey>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileKey {
    name: String,
    role: String,
    sha256: String,
    #[serde(default)]
    departments: Vec<String>,
}

impl Keys {
    /// No keys: nobody may submit or update; everything public is served.
    pub fn none() -> Keys {
        Keys::default()
    }

    /// Reads `keys.toml`.
    pub fn load(path: &Path) -> Result<Keys> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::new(ErrorKind::Io, format!("cannot read the keys file {}: {e}", path.display())))?;
        Keys::parse(&text, &path.display().to_string())
    }

    /// Reads the text of a keys file; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Keys> {
        let parsed: File = toml::from_str(text)
            .map_err(|e| Error::new(ErrorKind::Format, format!("{file}: {}", e.to_string().trim_end())))?;
        let mut keys = Keys { by_hash: HashMap::new(), cors_origins: parsed.cors_origins };
        for (i, k) in parsed.keys.into_iter().enumerate() {
            let at = format!("{file}: keys[{i}] ('{}')", k.name);
            let role = Role::parse(&k.role).ok_or_else(|| {
                Error::new(ErrorKind::Format, format!("{at}: role '{}' is not client, staff or admin", k.role))
            })?;
            let hash = parse_hash(&k.sha256).ok_or_else(|| {
                Error::new(
                    ErrorKind::Format,
                    format!(
                        "{at}: sha256 must be 64 hexadecimal characters, the hash of the key \
                         (`civic311 serve --new-key NAME:ROLE` prints it); never put the key itself here"
                    ),
                )
            })?;
            if k.name.trim().is_empty() {
                return Err(Error::new(ErrorKind::Format, format!("{at}: a key needs a name, for the logs")));
            }
            if !k.departments.is_empty() && role != Role::Staff {
                return Err(Error::new(
                    ErrorKind::Format,
                    format!("{at}: only a staff key is limited to departments; remove `departments` or make it staff"),
                ));
            }
            let key = Key { name: k.name, role, departments: k.departments };
            if keys.by_hash.insert(hash, key).is_some() {
                return Err(Error::new(ErrorKind::Format, format!("{at}: the same key is listed twice")));
            }
        }
        Ok(keys)
    }

    /// Adds a key (for tests and embedding).
    pub fn with_key(mut self, secret: &str, key: Key) -> Keys {
        self.by_hash.insert(digest(secret), key);
        self
    }

    /// The key whose text is `secret`.
    pub fn find(&self, secret: &str) -> Option<&Key> {
        if secret.is_empty() {
            return None;
        }
        self.by_hash.get(&digest(secret))
    }

    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }
}

fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// The hex SHA-256 of a key, as `keys.toml` stores it.
pub fn hash_key(secret: &str) -> String {
    digest(secret).iter().map(|b| format!("{b:02x}")).collect()
}

fn parse_hash(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.trim();
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// A new random key: 32 bytes from the operating system, as 43 URL-safe
/// characters.
pub fn new_key() -> Result<String> {
    random_text(32)
}

/// `n` random bytes as URL-safe base64 without padding.
pub(crate) fn random_text(n: usize) -> Result<String> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::new(ErrorKind::Io, format!("the operating system gave no random bytes: {e}")))?;
    Ok(url_safe(&bytes))
}

/// Bytes as URL-safe base64 without padding: keys and batch tokens.
pub(crate) fn url_safe(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 2);
    for chunk in bytes.chunks(3) {
        let v = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((v >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keys_file_is_read_and_keys_found_by_their_text() {
        let staff = "s3cret-staff-key";
        let text = format!(
            "cors_origins = [\"https://www.riverton.gov\"]\n\
             [[keys]]\nname = \"app\"\nrole = \"client\"\nsha256 = \"{}\"\n\
             [[keys]]\nname = \"crew\"\nrole = \"staff\"\ndepartments = [\"DPW\"]\nsha256 = \"{}\"\n",
            hash_key("client-key"),
            hash_key(staff).to_uppercase()
        );
        let keys = Keys::parse(&text, "keys.toml").unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys.cors_origins, ["https://www.riverton.gov"]);
        assert_eq!(keys.find("client-key").unwrap().role, Role::Client);
        let crew = keys.find(staff).unwrap();
        assert!(crew.is_staff_for(Some("DPW")) && !crew.is_staff_for(Some("PARKS")) && !crew.is_staff_for(None));
        assert!(keys.find("client-key ").is_none() && keys.find("").is_none());
        // The SHA-256 of "abc" (FIPS 180-2's example).
        assert_eq!(hash_key("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn a_wrong_keys_file_says_what_is_wrong() {
        for (text, words) in [
            ("[[keys]]\nname = \"a\"\nrole = \"boss\"\nsha256 = \"00\"\n", "not client, staff or admin"),
            ("[[keys]]\nname = \"a\"\nrole = \"client\"\nsha256 = \"my-key\"\n", "never put the key itself"),
            ("[[keys]]\nname = \"a\"\nrole = \"client\"\n", "sha256"),
            ("[[keys]]\nname = \"a\"\nrole = \"client\"\nsha256 = \"00\"\ncolour = 1\n", "colour"),
            (
                &format!(
                    "[[keys]]\nname = \"a\"\nrole = \"admin\"\ndepartments = [\"X\"]\nsha256 = \"{}\"\n",
                    hash_key("k")
                ),
                "only a staff key",
            ),
        ] {
            let err = Keys::parse(text, "keys.toml").unwrap_err();
            assert!(err.to_string().contains(words), "{err}");
            assert!(err.to_string().contains("keys.toml"), "{err}");
        }
    }

    #[test]
    fn new_keys_are_long_random_and_url_safe() {
        let (a, b) = (new_key().unwrap(), new_key().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{a}");
    }
}
