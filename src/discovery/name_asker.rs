//! The name queries of a whole scan over three shared sockets: one for the resolver's PTR
//! answers, one for NetBIOS node status, one for LLMNR. A crowded network asks hundreds of hosts
//! at once without a socket each (the queries of [`super::names::lookup`] are the same), and a
//! resolver or host that stays silent costs each lookup its own timeout, all of them side by side
//! rather than one batch after another.
//!
//! Bounds: every answer is read into [`MAX_ANSWER`] bytes and matched to its question by sender
//! and transaction id (anything else is dropped); the reader stops after a number of datagrams
//! proportional to the questions asked; each lookup waits at most its timeout.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::UdpSocket;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::names::{
    NameOptions, nbstat_query, parse_nbstat, parse_ptr, ptr_query, system_resolver,
};
use crate::sanitize::clean;

/// The longest answer read.
const MAX_ANSWER: usize = 1500;
/// Datagrams read per question asked, at most (a host may answer twice; the rest is noise).
const READS_PER_QUESTION: usize = 4;

/// Which of the three questions an answer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Asked {
    Dns,
    Netbios,
    Llmnr,
}

type Waiting = Mutex<HashMap<(Asked, SocketAddr, u16), oneshot::Sender<Vec<u8>>>>;

/// State shared by the lookups and the readers.
struct Shared {
    waiting: Waiting,
    /// Datagrams the readers may still read.
    reads_left: AtomicUsize,
}

/// Asks hosts for their names over three shared sockets; dropping it stops its readers.
pub struct NameAsker {
    sockets: [Arc<UdpSocket>; 3],
    shared: Arc<Shared>,
    next_id: AtomicU16,
    resolver: Option<SocketAddr>,
    opts: NameOptions,
    readers: Vec<JoinHandle<()>>,
}

impl Drop for NameAsker {
    fn drop(&mut self) {
        for reader in &self.readers {
            reader.abort();
        }
    }
}

impl NameAsker {
    /// Binds the three sockets and starts their readers.
    ///
    /// # Errors
    /// A socket could not be bound.
    pub async fn new(opts: NameOptions) -> std::io::Result<Self> {
        let bind = || UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0));
        let sockets = [
            Arc::new(bind().await?),
            Arc::new(bind().await?),
            Arc::new(bind().await?),
        ];
        let shared = Arc::new(Shared {
            waiting: Mutex::new(HashMap::new()),
            reads_left: AtomicUsize::new(0),
        });
        let readers = [Asked::Dns, Asked::Netbios, Asked::Llmnr]
            .into_iter()
            .zip(&sockets)
            .map(|(asked, socket)| tokio::spawn(read(asked, socket.clone(), shared.clone())))
            .collect();
        Ok(Self {
            sockets,
            shared,
            next_id: AtomicU16::new(rand::random()),
            resolver: opts.resolver.or_else(system_resolver),
            opts,
            readers,
        })
    }

    /// Asks for the names of `ip` (PTR through the resolver, NetBIOS and LLMNR to the host, at
    /// once); returns what answered, by source ("dns", "netbios", "llmnr"), cleaned. Ends within
    /// the timeout and a little.
    pub async fn lookup(&self, ip: Ipv4Addr) -> BTreeMap<String, String> {
        let host = |port| SocketAddr::new(IpAddr::V4(ip), port);
        let mut questions = vec![
            (Asked::Netbios, host(self.opts.netbios_port)),
            (Asked::Llmnr, host(self.opts.llmnr_port)),
        ];
        if let Some(resolver) = self.resolver {
            questions.push((Asked::Dns, resolver));
        }
        let asks = questions
            .into_iter()
            .map(|(asked, to)| self.ask(asked, to, ip));
        let answers = futures::future::join_all(asks).await;
        let mut names = BTreeMap::new();
        for (asked, name) in answers.into_iter().flatten() {
            let source = match asked {
                Asked::Dns => "dns",
                Asked::Netbios => "netbios",
                Asked::Llmnr => "llmnr",
            };
            if let Some(name) = name.map(|n| clean(&n, 64)).filter(|n| !n.is_empty()) {
                names.insert(source.to_string(), name);
            }
        }
        names
    }

    /// Sends one question and waits for its answer, parsed.
    async fn ask(
        &self,
        asked: Asked,
        to: SocketAddr,
        ip: Ipv4Addr,
    ) -> Option<(Asked, Option<String>)> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (query, socket) = match asked {
            Asked::Dns => (ptr_query(ip, id, true), &self.sockets[0]),
            Asked::Netbios => (nbstat_query(id), &self.sockets[1]),
            Asked::Llmnr => (ptr_query(ip, id, false), &self.sockets[2]),
        };
        let key = (asked, to, id);
        let (tx, rx) = oneshot::channel();
        self.shared.waiting.lock().ok()?.insert(key, tx);
        self.shared
            .reads_left
            .fetch_add(READS_PER_QUESTION, Ordering::Relaxed);
        let answer = match socket.send_to(&query, to).await {
            Ok(_) => tokio::time::timeout(self.opts.timeout, rx)
                .await
                .ok()
                .and_then(Result::ok),
            Err(_) => None,
        };
        if let Ok(mut waiting) = self.shared.waiting.lock() {
            waiting.remove(&key);
        }
        let answer = answer?;
        let name = match asked {
            Asked::Dns | Asked::Llmnr => parse_ptr(&answer),
            Asked::Netbios => parse_nbstat(&answer),
        };
        Some((asked, name))
    }
}

/// Reads answers on one socket and hands each to the lookup waiting for it (by kind, sender and
/// transaction id), until the datagrams allowed for the questions asked are used up.
async fn read(asked: Asked, socket: Arc<UdpSocket>, shared: Arc<Shared>) {
    let mut buf = vec![0u8; MAX_ANSWER];
    loop {
        let received = socket.recv_from(&mut buf).await;
        // Every datagram and every error counts against what the questions allow.
        let allowed = shared
            .reads_left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(1)
            })
            .is_ok();
        if !allowed {
            return;
        }
        let Ok((n, from)) = received else {
            continue;
        };
        if n < 12 {
            continue;
        }
        let id = u16::from_be_bytes([buf[0], buf[1]]);
        let waiter = shared
            .waiting
            .lock()
            .ok()
            .and_then(|mut w| w.remove(&(asked, from, id)));
        if let Some(waiter) = waiter {
            let _ = waiter.send(buf[..n].to_vec());
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::discovery::names::tests::{nbstat_answer, ptr_answer};

    #[tokio::test]
    async fn many_lookups_share_three_sockets_and_each_gets_its_own_answer() {
        // A resolver that answers every question with a name of its own, a NetBIOS responder
        // that answers every one, and a silent LLMNR port: 64 lookups at once.
        let resolver = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let netbios = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let silent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let opts = NameOptions {
            timeout: Duration::from_millis(600),
            resolver: Some(resolver.local_addr().unwrap()),
            netbios_port: netbios.local_addr().unwrap().port(),
            llmnr_port: silent.local_addr().unwrap().port(),
        };
        tokio::spawn(async move {
            let mut buf = [0u8; 512];
            for _ in 0..64 {
                let (n, from) = resolver.recv_from(&mut buf).await.unwrap();
                let id = u16::from_be_bytes([buf[0], buf[1]]);
                let answer = ptr_answer(&buf[..n], &format!("host-{id}.lan"));
                resolver.send_to(&answer, from).await.unwrap();
            }
        });
        tokio::spawn(async move {
            let mut buf = [0u8; 512];
            for _ in 0..64 {
                let (_, from) = netbios.recv_from(&mut buf).await.unwrap();
                let id = u16::from_be_bytes([buf[0], buf[1]]);
                netbios
                    .send_to(&nbstat_answer(id, &[("DISKSTATION", 0, 0)]), from)
                    .await
                    .unwrap();
            }
        });
        let asker = Arc::new(NameAsker::new(opts).await.unwrap());
        let lookups = (0..64).map(|_| {
            let asker = asker.clone();
            tokio::spawn(async move { asker.lookup(Ipv4Addr::LOCALHOST).await })
        });
        let all = futures::future::join_all(lookups).await;
        let mut dns_names = std::collections::BTreeSet::new();
        for names in all {
            let names = names.unwrap();
            assert_eq!(
                names.get("netbios").map(String::as_str),
                Some("DISKSTATION")
            );
            assert_eq!(names.get("llmnr"), None);
            let dns = names.get("dns").expect("every lookup got its PTR answer");
            assert!(dns.starts_with("host-") && dns.ends_with(".lan"), "{dns}");
            dns_names.insert(dns.clone());
        }
        assert_eq!(dns_names.len(), 64, "each answer went to its own question");
        drop(silent);
    }

    #[tokio::test]
    async fn answers_from_elsewhere_or_with_another_id_are_dropped() {
        let resolver = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let stranger = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let opts = NameOptions {
            timeout: Duration::from_millis(300),
            resolver: Some(resolver.local_addr().unwrap()),
            netbios_port: stranger.local_addr().unwrap().port(),
            llmnr_port: stranger.local_addr().unwrap().port(),
        };
        let asker = NameAsker::new(opts).await.unwrap();
        tokio::spawn(async move {
            let mut buf = [0u8; 512];
            let (n, from) = resolver.recv_from(&mut buf).await.unwrap();
            // The right name, but from another socket; then a wrong id from the resolver.
            let answer = ptr_answer(&buf[..n], "spoofed.lan");
            stranger.send_to(&answer, from).await.unwrap();
            let mut wrong = answer.clone();
            wrong[0] ^= 0xff;
            resolver.send_to(&wrong, from).await.unwrap();
        });
        let names = asker.lookup(Ipv4Addr::LOCALHOST).await;
        assert_eq!(names.get("dns"), None, "{names:?}");
    }
}
