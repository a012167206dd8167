//! The factory-login list (`assets/default-credentials.toml`): parsing, validation, and the plan
//! of tries for one device (the entries that fit its maker and kind, within the budgets per
//! device and per user name).

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::{Category, MacAddr};
use crate::sanitize::clean;

/// The factory-login list shipped with porchlight.
pub const DEFAULT_CREDENTIALS_TOML: &str = include_str!("../../../assets/default-credentials.toml");

/// The longest username or password accepted in the list.
const MAX_FIELD: usize = 32;

/// The most entries, forms, signs or words one list may hold (a bound on the parse).
const MAX_ENTRIES: usize = 200;

/// Where a login entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoginSource {
    /// The Mirai botnet's scanner table.
    Mirai,
    /// A maker's published default.
    Vendor,
}

/// Where a login can be tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoginService {
    /// A web page asking with HTTP Basic or Digest.
    Web,
    /// A maker's web login form (a [`LoginForm`]).
    Form,
    /// A telnet login prompt.
    Telnet,
    /// An FTP server.
    Ftp,
    /// A camera's RTSP video stream asking with Basic or Digest.
    Rtsp,
    /// An SSH server taking passwords (through the computer's OpenSSH client).
    Ssh,
}

impl LoginService {
    /// Its name as written in the list.
    pub fn key(self) -> &'static str {
        match self {
            LoginService::Web => "web",
            LoginService::Form => "form",
            LoginService::Telnet => "telnet",
            LoginService::Ftp => "ftp",
            LoginService::Rtsp => "rtsp",
            LoginService::Ssh => "ssh",
        }
    }
}

/// One factory login.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultLogin {
    /// User name.
    pub username: String,
    /// Password (empty for none).
    pub password: String,
    /// Where it comes from.
    pub source: LoginSource,
    /// The kinds of device it fits (`router`, `camera`); empty for any kind.
    pub kinds: Vec<String>,
    /// Words of the makers it fits; empty for any maker.
    pub makers: Vec<String>,
    /// Where it is tried, in order of preference.
    pub services: Vec<LoginService>,
    /// How the password is derived from what porchlight knows of the device, when the maker
    /// documents it: `mac` is the device's hardware address in upper-case hex without separators
    /// (QNAP since QTS 4.4.2). The entry's `password` is then empty and the entry is skipped when
    /// the address is unknown or randomised.
    #[serde(default)]
    pub derived: Option<Derived>,
}

/// A password the maker derives from the device itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Derived {
    /// The hardware address, upper-case hex without separators ("00089BF4C4E7").
    Mac,
}

/// A per-maker limit on tries, for makers whose devices lock the account after a few wrong
/// passwords.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// Words of the makers it applies to.
    pub makers: Vec<String>,
    /// The most tries on one such device.
    pub tries: usize,
    /// Why, with the maker's own figure (shown in the evidence).
    pub why: String,
}

/// Makers whose devices have no common factory password: each has its own, printed on its label.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelOnly {
    /// Words of the makers it applies to.
    pub makers: Vec<String>,
    /// The kinds of device it applies to; empty for any kind.
    pub kinds: Vec<String>,
    /// What the owner should know (shown as the evidence).
    pub why: String,
}

impl DefaultLogin {
    /// `admin/admin`, or `admin with no password`.
    pub fn shown(&self) -> String {
        if self.password.is_empty() {
            format!("{} with no password", self.username)
        } else {
            format!("{}/{}", self.username, self.password)
        }
    }

    /// The login as files and reports may hold it, without the password: `admin with its factory
    /// password`, `admin with no password`.
    pub fn named(&self) -> String {
        if self.password.is_empty() {
            format!("{} with no password", self.username)
        } else {
            format!("{} with its factory password", self.username)
        }
    }

    /// The password as files and reports name it: `its factory password`, or `with no
    /// password`; never the password itself.
    pub fn password_named(&self) -> &'static str {
        if self.password.is_empty() {
            "with no password"
        } else {
            "its factory password"
        }
    }

    fn fits_kind(&self, kind: Category) -> bool {
        if self.kinds.is_empty() {
            return true;
        }
        kind != Category::Unknown && self.kinds.iter().any(|k| k == kind.key())
    }

    /// True when a maker word of the entry is in `names` (lower-cased maker, model, form family).
    fn fits_maker(&self, names: &str) -> bool {
        fits_words(&self.makers, names)
    }

    /// The login as tried on a device with hardware address `mac`: the entry itself, or, for a
    /// derived password, the entry with the password filled in; `None` when it cannot be derived.
    fn for_device(&self, mac: Option<MacAddr>) -> Option<DefaultLogin> {
        match self.derived {
            None => Some(self.clone()),
            Some(Derived::Mac) => {
                let mac = mac.filter(|m| !m.is_locally_administered() && !m.is_multicast())?;
                let password: String = mac.0.iter().map(|b| format!("{b:02X}")).collect();
                Some(DefaultLogin {
                    password,
                    ..self.clone()
                })
            }
        }
    }
}

/// True when one of `words` occurs in `names` as whole words (not glued to a letter or digit):
/// "wd" fits "wd my cloud" but not the Hikvision model "ds-2cd2042wd".
pub fn fits_words(words: &[String], names: &str) -> bool {
    words
        .iter()
        .any(|w| crate::identify::vendors::contains_word(names, &w.to_ascii_lowercase()))
}

/// A maker's web login form.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginForm {
    /// The family's name, also a maker word for [`DefaultLogin::makers`] (`openwrt`).
    pub family: String,
    /// The kinds of device it is looked for on.
    pub kinds: Vec<String>,
    /// Texts that mark a page of this family (any one, case-insensitive).
    pub page_signs: Vec<String>,
    /// `GET` or `POST`.
    pub method: String,
    /// The path the login goes to (with placeholders for a GET).
    pub path: String,
    /// The form body for a POST (with placeholders).
    #[serde(default)]
    pub body: String,
    /// Texts that mean the login worked (body, Set-Cookie or Location).
    pub works_signs: Vec<String>,
    /// Statuses that mean refused (where the family answers a wrong password with them).
    pub refused_status: Vec<u16>,
    /// Texts that mean refused.
    pub refused_signs: Vec<String>,
    /// Texts that mean the device is locking logins out.
    pub lockout_signs: Vec<String>,
}

/// The factory logins and login forms, in the order they are tried.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginList {
    /// Where the entries come from.
    pub sources: String,
    /// The web login forms.
    #[serde(default)]
    pub form: Vec<LoginForm>,
    /// The logins.
    pub login: Vec<DefaultLogin>,
    /// Per-maker try budgets.
    #[serde(default)]
    pub budget: Vec<Budget>,
    /// Makers whose every device has its own password.
    #[serde(default)]
    pub label_only: Vec<LabelOnly>,
}

fn check_kinds(what: &str, kinds: &[String]) -> Result<(), String> {
    for k in kinds {
        if Category::from_str(k).is_err() || k == "unknown" {
            return Err(format!(
                "{what}: `{}` is not a kind of device",
                clean(k, 40)
            ));
        }
    }
    Ok(())
}

fn check_words(what: &str, words: &[String]) -> Result<(), String> {
    if words.len() > MAX_ENTRIES {
        return Err(format!("{what}: too many entries"));
    }
    for w in words {
        if w.trim().is_empty() || w.len() > 200 {
            return Err(format!("{what}: an empty or over-long text"));
        }
    }
    Ok(())
}

impl LoginForm {
    fn validate(&self) -> Result<(), String> {
        let what = format!("form `{}`", clean(&self.family, 40));
        if self.family.is_empty()
            || !self
                .family
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-')
        {
            return Err(format!("{what}: the family must be lower-case letters"));
        }
        check_kinds(&what, &self.kinds)?;
        if self.page_signs.is_empty() || self.works_signs.is_empty() {
            return Err(format!("{what} needs page_signs and works_signs"));
        }
        for list in [
            &self.page_signs,
            &self.works_signs,
            &self.refused_signs,
            &self.lockout_signs,
        ] {
            check_words(&what, list)?;
        }
        if !matches!(self.method.as_str(), "GET" | "POST") {
            return Err(format!("{what}: the method must be GET or POST"));
        }
        if !self.path.starts_with('/') || !self.path.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(format!(
                "{what}: the path must start with / and be visible ASCII"
            ));
        }
        if self.method == "GET" && !self.body.is_empty() {
            return Err(format!("{what}: a GET form takes no body"));
        }
        let template = format!("{}{}", self.path, self.body);
        if !template.contains("{password}") && !template.contains("_b64}") {
            return Err(format!("{what}: the path or body never sends the password"));
        }
        Ok(())
    }
}

impl LoginList {
    /// Parses and validates a list written as TOML.
    ///
    /// # Errors
    /// One line: bad TOML, an empty list or source note, a username or password that is too
    /// long or not plain visible ASCII (a username may not hold `:`), an unknown kind, an entry
    /// without services, a `form` service with no form for its kinds, a bad form, or an entry
    /// listed twice.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let list: LoginList = toml::from_str(text)
            .map_err(|e| format!("the factory-login list does not parse: {}", e.message()))?;
        if list.sources.trim().is_empty() {
            return Err("the factory-login list does not say where its entries come from".into());
        }
        if list.login.is_empty() {
            return Err("the factory-login list has no `login` entries".into());
        }
        if list.login.len() > MAX_ENTRIES || list.form.len() > MAX_ENTRIES {
            return Err("the factory-login list is too long".into());
        }
        let mut families = HashSet::new();
        for form in &list.form {
            form.validate()?;
            if !families.insert(form.family.clone()) {
                return Err(format!("form `{}` is listed twice", form.family));
            }
        }
        let mut seen = HashSet::new();
        for e in &list.login {
            let visible = |s: &str| s.bytes().all(|b| b.is_ascii_graphic());
            if e.username.is_empty()
                || e.username.len() > MAX_FIELD
                || !visible(&e.username)
                || e.username.contains(':')
            {
                return Err(format!(
                    "login {:?}: the username must be 1 to {MAX_FIELD} visible ASCII characters without ':'",
                    clean(&e.username, 40)
                ));
            }
            if e.password.len() > MAX_FIELD || !visible(&e.password) {
                return Err(format!(
                    "login {}: the password must be at most {MAX_FIELD} visible ASCII characters",
                    clean(&e.username, 40)
                ));
            }
            let what = format!("login {}", e.shown());
            check_kinds(&what, &e.kinds)?;
            check_words(&what, &e.makers)?;
            if e.services.is_empty() {
                return Err(format!("{what} names no services"));
            }
            if e.services.contains(&LoginService::Form)
                && !list
                    .form
                    .iter()
                    .any(|f| e.kinds.is_empty() || f.kinds.iter().any(|k| e.kinds.contains(k)))
            {
                return Err(format!("{what}: no [[form]] fits its kinds"));
            }
            let mut kinds = e.kinds.clone();
            kinds.sort();
            let mut makers: Vec<String> = e.makers.iter().map(|m| m.to_ascii_lowercase()).collect();
            makers.sort();
            if e.derived.is_some() && (!e.password.is_empty() || e.makers.is_empty()) {
                return Err(format!(
                    "{what}: a derived password leaves `password` empty and names its makers"
                ));
            }
            if !seen.insert((e.username.clone(), e.password.clone(), kinds, makers)) {
                return Err(format!(
                    "{what} is listed twice for the same kinds and makers"
                ));
            }
        }
        for b in &list.budget {
            let what = format!("budget for {}", clean(&b.makers.join(", "), 60));
            check_words(&what, &b.makers)?;
            if b.makers.is_empty() || b.why.trim().is_empty() {
                return Err(format!("{what} needs makers and a reason"));
            }
            if !(1..=3).contains(&b.tries) {
                return Err(format!("{what}: tries must be 1 to 3"));
            }
        }
        for l in &list.label_only {
            let what = format!("label_only for {}", clean(&l.makers.join(", "), 60));
            check_words(&what, &l.makers)?;
            check_kinds(&what, &l.kinds)?;
            if l.makers.is_empty() || l.why.trim().is_empty() {
                return Err(format!("{what} needs makers and a reason"));
            }
        }
        Ok(list)
    }

    /// The list shipped with porchlight.
    ///
    /// # Errors
    /// Why the shipped list is broken (the tests keep that from shipping).
    pub fn builtin() -> Result<&'static LoginList, String> {
        static LIST: OnceLock<Result<LoginList, String>> = OnceLock::new();
        LIST.get_or_init(|| LoginList::from_toml(DEFAULT_CREDENTIALS_TOML))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The forms looked for on a device of `kind`.
    pub fn forms_for(&self, kind: Category) -> impl Iterator<Item = &LoginForm> {
        self.form
            .iter()
            .filter(move |f| f.kinds.iter().any(|k| k == kind.key()))
    }

    /// The budget that limits tries on a device whose maker, model and form family are `names`.
    pub fn budget_for(&self, names: &str) -> Option<&Budget> {
        let names = names.to_ascii_lowercase();
        self.budget
            .iter()
            .filter(|b| fits_words(&b.makers, &names))
            .min_by_key(|b| b.tries)
    }

    /// The note when the device's maker gives every device its own password (so no factory
    /// login can be guessed, and trying one only burns a try).
    pub fn label_only_for(&self, kind: Category, names: &str) -> Option<&LabelOnly> {
        let names = names.to_ascii_lowercase();
        self.label_only.iter().find(|l| {
            fits_words(&l.makers, &names)
                && (l.kinds.is_empty() || l.kinds.iter().any(|k| k == kind.key()))
        })
    }

    /// The tries for one device: the entries that fit `kind` and the maker (`names`: its maker,
    /// model and recognised form family, matched as whole words), the maker's own first, then
    /// those for its kind, then those for any kind; each tried once, on the first of its services
    /// in `offered`; at most `per_device` tries (fewer where the maker's [`Budget`] says so) and
    /// `per_user` per user name (compared without case). A derived password is filled in from
    /// `mac` (and skipped without one). Nothing at all for a maker whose every device has its own
    /// password ([`LoginList::label_only_for`]).
    pub fn plan(
        &self,
        kind: Category,
        names: &str,
        mac: Option<MacAddr>,
        offered: &[LoginService],
        per_device: usize,
        per_user: usize,
    ) -> Vec<(DefaultLogin, LoginService)> {
        if self.label_only_for(kind, names).is_some() {
            return Vec::new();
        }
        let per_device = self
            .budget_for(names)
            .map_or(per_device, |b| per_device.min(b.tries));
        let names = names.to_ascii_lowercase();
        let mut fitting: Vec<(u8, &DefaultLogin)> = self
            .login
            .iter()
            .filter(|e| e.fits_kind(kind))
            .filter_map(|e| {
                if e.makers.is_empty() {
                    Some((if e.kinds.is_empty() { 2 } else { 1 }, e))
                } else {
                    e.fits_maker(&names).then_some((0, e))
                }
            })
            .collect();
        fitting.sort_by_key(|(rank, _)| *rank);
        let mut plan = Vec::new();
        let mut per_name: HashMap<String, usize> = HashMap::new();
        let mut tried = HashSet::new();
        for (_, e) in fitting {
            if plan.len() >= per_device {
                break;
            }
            let Some(service) = e.services.iter().copied().find(|s| offered.contains(s)) else {
                continue;
            };
            let Some(e) = e.for_device(mac) else {
                continue;
            };
            if !tried.insert((e.username.clone(), e.password.clone(), service)) {
                continue;
            }
            let count = per_name.entry(e.username.to_ascii_lowercase()).or_default();
            if *count >= per_user {
                continue;
            }
            *count += 1;
            plan.push((e, service));
        }
        plan
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;
    use LoginService::*;

    fn shown(plan: &[(DefaultLogin, LoginService)]) -> Vec<String> {
        plan.iter()
            .map(|(l, s)| format!("{} {}", l.shown(), s.key()))
            .collect()
    }

    #[test]
    fn the_shipped_list_is_valid() {
        let list = LoginList::builtin().unwrap();
        assert!(list.sources.contains("Mirai"));
        assert!(list.form.len() >= 4, "router and NAS families");
        for family in ["openwrt", "asuswrt", "synology", "qnap"] {
            assert!(list.form.iter().any(|f| f.family == family), "{family}");
        }
    }

    #[test]
    fn only_logins_that_fit_the_maker_and_kind_are_planned() {
        let list = LoginList::builtin().unwrap();
        let hik = list.plan(
            Category::Camera,
            "hikvision ds-2cd2042wd",
            None,
            &[Web, Rtsp],
            3,
            3,
        );
        assert_eq!(
            shown(&hik),
            [
                "admin/12345 web",
                "admin/admin web",
                "admin with no password web"
            ]
        );
        let netgear = list.plan(Category::Router, "netgear r7000", None, &[Web], 3, 3);
        assert_eq!(netgear.len(), 3);
        assert_eq!(shown(&netgear)[0], "admin/password web");
        assert!(
            netgear
                .iter()
                .all(|(l, _)| l.kinds.iter().any(|k| k == "router")),
            "no camera or NAS default on a router"
        );
        // A device porchlight could not identify gets only the any-kind entries.
        let unknown = list.plan(Category::Unknown, "", None, &[Web, Telnet], 3, 3);
        assert!(
            unknown.iter().all(|(l, _)| l.kinds.is_empty()),
            "{unknown:?}"
        );
        assert_eq!(shown(&unknown)[0], "root/xc3511 telnet");
        // Nothing to try where nothing is offered.
        assert!(list.plan(Category::Camera, "", None, &[], 3, 3).is_empty());
    }

    #[test]
    fn the_budgets_per_device_and_per_user_name_hold() {
        let list = LoginList::builtin().unwrap();
        // An unknown-maker camera with a web page: four `admin` defaults fit, three are tried.
        let plan = list.plan(Category::Camera, "", None, &[Web], 10, 3);
        let admins = plan.iter().filter(|(l, _)| l.username == "admin").count();
        assert_eq!(admins, 3, "{:?}", shown(&plan));
        for per_device in 1..=3 {
            let plan = list.plan(
                Category::Camera,
                "",
                None,
                &[Web, Rtsp, Telnet],
                per_device,
                3,
            );
            assert_eq!(plan.len(), per_device);
        }
        // The same login is never planned twice on one service.
        let plan = list.plan(Category::Camera, "xiongmai", None, &[Telnet], 10, 10);
        let unique: HashSet<_> = plan.iter().map(|(l, s)| (l.shown(), *s)).collect();
        assert_eq!(unique.len(), plan.len(), "{:?}", shown(&plan));
    }

    #[test]
    fn makers_are_matched_as_whole_words() {
        let list = LoginList::builtin().unwrap();
        // "wd" (Western Digital) is glued into a Hikvision model: not a NAS default for it.
        let hik = list.plan(Category::Nas, "hikvision ds-2cd2042wd", None, &[Form], 3, 3);
        assert!(
            hik.iter().all(|(l, _)| l.makers.is_empty()),
            "{:?}",
            shown(&hik)
        );
        let wd = list.plan(Category::Nas, "wd my cloud ex2", None, &[Form], 3, 3);
        assert_eq!(shown(&wd)[0], "admin with no password form");
        assert!(fits_words(&["tp-link".into()], "tp-link archer c7"));
        assert!(!fits_words(&["hp".into()], "hpe officeconnect"));
    }

    #[test]
    fn lorex_gets_its_own_default_and_at_most_two_tries() {
        let list = LoginList::builtin().unwrap();
        let lorex = list.plan(Category::Camera, "lorex n841", None, &[Web, Rtsp], 3, 3);
        assert_eq!(
            shown(&lorex),
            ["admin/000000 web", "admin/admin web"],
            "admin/000000 first, then one more, never a third"
        );
        assert_eq!(list.budget_for("Lorex").unwrap().tries, 2);
        assert!(list.budget_for("hikvision").is_none());
    }

    #[test]
    fn a_maker_with_a_password_per_device_gets_no_guess() {
        let list = LoginList::builtin().unwrap();
        assert!(
            list.plan(Category::Camera, "ezviz c6n", None, &[Web, Rtsp], 3, 3)
                .is_empty()
        );
        let why = &list.label_only_for(Category::Camera, "EZVIZ").unwrap().why;
        assert!(why.contains("label"), "{why}");
        // A Hikvision camera is not an EZVIZ one.
        assert!(
            !list
                .plan(Category::Camera, "hikvision", None, &[Web], 3, 3)
                .is_empty()
        );
    }

    #[test]
    fn qnap_s_password_is_its_mac_address_when_porchlight_knows_it() {
        let list = LoginList::builtin().unwrap();
        let mac = MacAddr([0x00, 0x08, 0x9b, 0xf4, 0xc4, 0xe7]);
        let qnap = list.plan(Category::Nas, "qnap ts-253d", Some(mac), &[Form], 3, 3);
        assert_eq!(shown(&qnap)[0], "admin/00089BF4C4E7 form");
        assert_eq!(shown(&qnap)[1], "admin/admin form");
        // Without the address (or with a made-up one) the derived entry is skipped.
        let blind = list.plan(Category::Nas, "qnap", None, &[Form], 3, 3);
        assert_eq!(shown(&blind)[0], "admin/admin form");
        let private = MacAddr([0x02, 0x08, 0x9b, 0xf4, 0xc4, 0xe7]);
        let made_up = list.plan(Category::Nas, "qnap", Some(private), &[Form], 3, 3);
        assert_eq!(shown(&made_up)[0], "admin/admin form");
    }

    #[test]
    fn printers_get_their_makers_documented_defaults() {
        let list = LoginList::builtin().unwrap();
        let canon = list.plan(Category::Printer, "canon pixma ts5350", None, &[Web], 3, 3);
        assert_eq!(shown(&canon), ["ADMIN/canon web"]);
        let brother = list.plan(Category::Printer, "brother hl-l2350dw", None, &[Web], 3, 3);
        assert_eq!(shown(&brother), ["admin/initpass web", "admin/access web"]);
    }

    #[test]
    fn bad_lists_are_refused() {
        let good = "sources = \"x\"\n[[login]]\nusername = \"admin\"\npassword = \"admin\"\nsource = \"vendor\"\nkinds = [\"router\"]\nmakers = []\nservices = [\"web\"]\n";
        assert!(LoginList::from_toml(good).is_ok());
        for (find, replace, words) in [
            (
                "username = \"admin\"",
                "username = \"ad:min\"",
                "without ':'",
            ),
            ("username = \"admin\"", "username = \"\"", "username"),
            ("password = \"admin\"", "password = \"ad min\"", "password"),
            ("sources = \"x\"", "sources = \" \"", "come from"),
            ("source = \"vendor\"", "source = \"forum\"", "parse"),
            ("kinds = [\"router\"]", "kinds = [\"fridge\"]", "not a kind"),
            ("services = [\"web\"]", "services = []", "no services"),
            ("services = [\"web\"]", "services = [\"smb\"]", "parse"),
            (
                "services = [\"web\"]",
                "services = [\"form\"]",
                "no [[form]]",
            ),
        ] {
            let e = LoginList::from_toml(&good.replace(find, replace)).unwrap_err();
            assert!(e.contains(words), "{find} -> {replace}: {e}");
        }
        let twice = format!("{good}{}", good.replace("sources = \"x\"\n", ""));
        assert!(LoginList::from_toml(&twice).unwrap_err().contains("twice"));
        let form = "[[form]]\nfamily = \"x\"\nkinds = [\"router\"]\npage_signs = [\"x\"]\nmethod = \"POST\"\npath = \"/login\"\nbody = \"u={user}\"\nworks_signs = [\"ok\"]\nrefused_status = []\nrefused_signs = []\nlockout_signs = []\n";
        let e = LoginList::from_toml(&format!("{good}{form}")).unwrap_err();
        assert!(e.contains("never sends the password"), "{e}");
        let e =
            LoginList::from_toml(&format!("{good}{}", form.replace("POST", "PUT"))).unwrap_err();
        assert!(e.contains("GET or POST"), "{e}");
    }
}
