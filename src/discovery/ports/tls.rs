//! The TLS probe: a minimal ClientHello (no SNI, nothing secret) and a reading of the first
//! reply record, so a banner says "TLS 1.2 ServerHello" or names the alert, or notices a port that
//! answers TLS in plain HTTP.

use tokio::net::TcpStream;
use tokio::time::Instant;

use super::{Found, clean_banner, first_line, read_bounded, write_bounded};

/// Cipher suites offered: the common ECDHE AEAD and CBC suites, RSA key exchange for old firmware,
/// and the renegotiation SCSV.
const CIPHER_SUITES: &[u16] = &[
    0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc009, 0xc013, 0xc00a, 0xc014, 0x009c, 0x009d,
    0x002f, 0x0035, 0x000a, 0x00ff,
];

/// Named groups offered: x25519, secp256r1, secp384r1.
const GROUPS: &[u16] = &[0x001d, 0x0017, 0x0018];

/// Signature algorithms offered: ECDSA, RSA-PSS and RSA PKCS#1 with SHA-256/384/512, then SHA-1.
const SIGNATURE_ALGORITHMS: &[u16] = &[
    0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0203, 0x0201,
];

/// A minimal, valid TLS 1.2 ClientHello (no SNI: the probe only has an address, and SNI must not
/// carry an IP literal).
pub fn client_hello() -> Vec<u8> {
    fn u16s(out: &mut Vec<u8>, values: &[u16]) {
        for v in values {
            out.extend_from_slice(&v.to_be_bytes());
        }
    }
    fn len16(n: usize) -> [u8; 2] {
        u16::try_from(n).unwrap_or(u16::MAX).to_be_bytes()
    }
    fn extension(out: &mut Vec<u8>, kind: u16, body: &[u8]) {
        out.extend_from_slice(&kind.to_be_bytes());
        out.extend_from_slice(&len16(body.len()));
        out.extend_from_slice(body);
    }

    let mut extensions = Vec::new();
    let mut groups = len16(GROUPS.len() * 2).to_vec();
    u16s(&mut groups, GROUPS);
    extension(&mut extensions, 0x000a, &groups);
    // ec_point_formats: uncompressed only.
    extension(&mut extensions, 0x000b, &[0x01, 0x00]);
    let mut algorithms = len16(SIGNATURE_ALGORITHMS.len() * 2).to_vec();
    u16s(&mut algorithms, SIGNATURE_ALGORITHMS);
    extension(&mut extensions, 0x000d, &algorithms);

    let mut body = vec![0x03, 0x03];
    body.extend_from_slice(&client_random());
    body.push(0); // no session id
    body.extend_from_slice(&len16(CIPHER_SUITES.len() * 2));
    u16s(&mut body, CIPHER_SUITES);
    body.extend_from_slice(&[0x01, 0x00]); // compression: null only
    body.extend_from_slice(&len16(extensions.len()));
    body.extend_from_slice(&extensions);

    let body_len = u32::try_from(body.len()).unwrap_or(0).to_be_bytes();
    let mut handshake = vec![0x01, body_len[1], body_len[2], body_len[3]];
    handshake.extend_from_slice(&body);

    let mut record = vec![0x16, 0x03, 0x01];
    record.extend_from_slice(&len16(handshake.len()));
    record.extend_from_slice(&handshake);
    record
}

/// 32 bytes that differ per hello. The probe never completes a handshake, so they need not be
/// secret, only not constant.
fn client_random() -> [u8; 32] {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    // SplitMix64 over the clock.
    let mut state = u64::try_from(nanos & u128::from(u64::MAX)).unwrap_or(0);
    let mut out = [0u8; 32];
    for chunk in out.chunks_mut(8) {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        chunk.copy_from_slice(&z.to_be_bytes()[..chunk.len()]);
    }
    out
}

pub(super) async fn tls_probe(stream: &mut TcpStream, deadline: Instant, max: usize) -> Found {
    if !write_bounded(stream, deadline, &client_hello()).await {
        return Found::Plain(None);
    }
    let buf = read_bounded(stream, deadline, max, |b| match b.first() {
        // Enough for the ServerHello version, or the alert's level and description.
        Some(0x16) => b.len() >= 11,
        Some(0x15) => b.len() >= 7,
        _ => b.contains(&b'\n'),
    })
    .await;
    classify_tls_reply(&buf)
}

/// Sorts the reply to a ClientHello into TLS, HTTP or anything else.
pub(crate) fn classify_tls_reply(buf: &[u8]) -> Found {
    let is_record = |b: &[u8]| b.get(1).is_none_or(|&major| major == 0x03);
    match buf.first() {
        Some(0x16) if is_record(buf) => Found::Tls(Some(describe_handshake(buf))),
        Some(0x15) if is_record(buf) => Found::Tls(Some(describe_alert(buf))),
        _ if buf.starts_with(b"HTTP/") => Found::LooksLikeHttp(clean_banner(first_line(buf))),
        _ => Found::Plain(clean_banner(first_line(buf))),
    }
}

fn tls_version(major: u8, minor: u8) -> String {
    match (major, minor) {
        (3, 0) => "SSL 3.0".into(),
        (3, 1) => "TLS 1.0".into(),
        (3, 2) => "TLS 1.1".into(),
        (3, 3) => "TLS 1.2".into(),
        (3, 4) => "TLS 1.3".into(),
        _ => format!("version {major}.{minor}"),
    }
}

fn describe_handshake(buf: &[u8]) -> String {
    // Record header (5), handshake type (1), length (3), then the ServerHello's version (2).
    match (buf.get(5), buf.get(9), buf.get(10)) {
        (Some(0x02), Some(&major), Some(&minor)) => {
            format!("TLS ServerHello ({})", tls_version(major, minor))
        }
        _ => "TLS handshake".into(),
    }
}

fn describe_alert(buf: &[u8]) -> String {
    let Some(&code) = buf.get(6) else {
        return "TLS alert".into();
    };
    let name = match code {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        40 => "handshake_failure",
        42 => "bad_certificate",
        47 => "illegal_parameter",
        50 => "decode_error",
        51 => "decrypt_error",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        90 => "user_canceled",
        112 => "unrecognized_name",
        _ => "alert",
    };
    format!("TLS alert {code} ({name})")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn the_client_hello_lengths_add_up() {
        let hello = client_hello();
        assert_eq!(&hello[..3], &[0x16, 0x03, 0x01]);
        let record_len = usize::from(u16::from_be_bytes([hello[3], hello[4]]));
        assert_eq!(record_len, hello.len() - 5);
        assert_eq!(hello[5], 0x01);
        let hs_len =
            usize::from(hello[6]) << 16 | usize::from(hello[7]) << 8 | usize::from(hello[8]);
        assert_eq!(hs_len, hello.len() - 9);
        assert_eq!(&hello[9..11], &[0x03, 0x03]);
        // Session id, then the cipher suites.
        assert_eq!(hello[43], 0);
        let suites = usize::from(u16::from_be_bytes([hello[44], hello[45]]));
        assert_eq!(suites, CIPHER_SUITES.len() * 2);
        let after_suites = 46 + suites;
        assert_eq!(&hello[after_suites..after_suites + 2], &[0x01, 0x00]);
        let ext_len = usize::from(u16::from_be_bytes([
            hello[after_suites + 2],
            hello[after_suites + 3],
        ]));
        assert_eq!(after_suites + 4 + ext_len, hello.len());
    }

    #[test]
    fn tls_replies_are_classified() {
        let hello = [
            0x16, 0x03, 0x03, 0x00, 0x31, 0x02, 0x00, 0x00, 0x2d, 0x03, 0x01,
        ];
        assert!(
            matches!(classify_tls_reply(&hello), Found::Tls(Some(b)) if b == "TLS ServerHello (TLS 1.0)")
        );
        let alert = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46];
        assert!(
            matches!(classify_tls_reply(&alert), Found::Tls(Some(b)) if b.contains("protocol_version"))
        );
        assert!(matches!(
            classify_tls_reply(b"HTTP/1.1 400 Bad Request\r\n"),
            Found::LooksLikeHttp(Some(b)) if b == "HTTP/1.1 400 Bad Request"
        ));
        assert!(matches!(classify_tls_reply(b""), Found::Plain(None)));
        assert!(matches!(
            classify_tls_reply(b"\x16junk"),
            Found::Plain(Some(_))
        ));
    }
}
