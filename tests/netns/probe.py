# Small, bounded probes that the harness test runs inside a test home's scanner namespace
# (see mod.rs) to prove that the simulated devices answer. Each prints one JSON document.
#   probe.py ssdp SECONDS                 M-SEARCH ssdp:all, the replies with their source
#   probe.py get URL                      an HTTP GET (64 KiB, 3 s at most)
#   probe.py mdns SECONDS NAME...         mDNS PTR queries, every record of every answer
#   probe.py mqtt HOST PORT               an MQTT 3.1.1 CONNECT, the CONNACK bytes
#   probe.py banner HOST PORT [SEND]      what a TCP service says first (after SEND, if given)
# Only the two multicast groups and the addresses named on the command line are ever sent to.
import json
import socket
import struct
import sys
import time
import urllib.request


def ssdp(seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 2)
    s.settimeout(0.2)
    msg = (
        b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
        b'MAN: "ssdp:discover"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n'
    )
    s.sendto(msg, ("239.255.255.250", 1900))
    replies = []
    end = time.time() + seconds
    while time.time() < end and len(replies) < 200:
        try:
            data, addr = s.recvfrom(4096)
        except socket.timeout:
            continue
        headers = {}
        for line in data.decode("utf-8", "replace").split("\r\n")[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().upper()] = v.strip()
        replies.append({"from": addr[0], "headers": headers})
    return replies


def get(url):
    with urllib.request.urlopen(url, timeout=3) as r:
        return {"status": r.status, "headers": dict(r.headers), "body": r.read(65536).decode("utf-8", "replace")}


def dns_name(buf, off):
    labels, jumped, end, hops = [], False, off, 0
    while True:
        if off >= len(buf) or hops > 32:
            raise ValueError("bad name")
        n = buf[off]
        if n == 0:
            off += 1
            break
        if n & 0xC0 == 0xC0:
            ptr = struct.unpack("!H", buf[off:off + 2])[0] & 0x3FFF
            if not jumped:
                end = off + 2
            jumped, off, hops = True, ptr, hops + 1
            continue
        labels.append(buf[off + 1:off + 1 + n].decode("utf-8", "replace"))
        off += 1 + n
    return ".".join(labels), (end if jumped else off)


def dns_records(buf):
    qd, an, ns, ar = struct.unpack("!4H", buf[4:12])
    off, out = 12, []
    for _ in range(qd):
        _, off = dns_name(buf, off)
        off += 4
    for _ in range(an + ns + ar):
        name, off = dns_name(buf, off)
        rtype, _cls, _ttl, rdlen = struct.unpack("!HHIH", buf[off:off + 10])
        off += 10
        rdata = buf[off:off + rdlen]
        if rtype == 12:
            rec = {"type": "PTR", "value": dns_name(buf, off)[0]}
        elif rtype == 16:
            txt, i = [], 0
            while i < len(rdata):
                txt.append(rdata[i + 1:i + 1 + rdata[i]].decode("utf-8", "replace"))
                i += 1 + rdata[i]
            rec = {"type": "TXT", "value": txt}
        elif rtype == 33:
            port = struct.unpack("!H", rdata[4:6])[0]
            rec = {"type": "SRV", "value": {"port": port, "target": dns_name(buf, off + 6)[0]}}
        elif rtype == 1:
            rec = {"type": "A", "value": socket.inet_ntoa(rdata)}
        else:
            rec = {"type": str(rtype), "value": rdata.hex()}
        rec["name"] = name
        out.append(rec)
        off += rdlen
    return out


def mdns(seconds, names):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
    s.settimeout(0.2)
    for name in names:
        q = struct.pack("!6H", 0, 0, 1, 0, 0, 0)
        q += b"".join(bytes([len(p)]) + p.encode() for p in name.rstrip(".").split("."))
        q += b"\0" + struct.pack("!HH", 12, 0x8001)  # PTR, class IN with the unicast-response bit
        s.sendto(q, ("224.0.0.251", 5353))
    seen, out = set(), []
    end = time.time() + seconds
    while time.time() < end and len(out) < 1000:
        try:
            data, addr = s.recvfrom(9000)
        except socket.timeout:
            continue
        try:
            records = dns_records(data)
        except (ValueError, struct.error, IndexError):
            continue
        for rec in records:
            rec["from"] = addr[0]
            key = json.dumps(rec, sort_keys=True)
            if key not in seen:
                seen.add(key)
                out.append(rec)
    return out


def mqtt(host, port):
    s = socket.create_connection((host, port), timeout=3)
    s.settimeout(3)
    client = b"porchlight-test"
    var = b"\x00\x04MQTT\x04\x02\x00\x3c"
    payload = struct.pack("!H", len(client)) + client
    s.sendall(bytes([0x10, len(var) + len(payload)]) + var + payload)
    reply = s.recv(16)
    s.close()
    return {"connack": reply.hex()}


def banner(host, port, send=None):
    s = socket.create_connection((host, port), timeout=3)
    s.settimeout(2)
    if send:
        s.sendall(send.encode().decode("unicode_escape").encode("latin-1"))
    data = b""
    try:
        while len(data) < 4096:
            chunk = s.recv(4096 - len(data))
            if not chunk:
                break
            data += chunk
            if not send and len(data) > 0 and (b"\n" in data or b": " in data):
                break
    except socket.timeout:
        pass
    s.close()
    return {"banner": data.decode("latin-1")}


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "ssdp":
        result = ssdp(float(args[0]))
    elif cmd == "get":
        result = get(args[0])
    elif cmd == "mdns":
        result = mdns(float(args[0]), args[1:])
    elif cmd == "mqtt":
        result = mqtt(args[0], int(args[1]))
    elif cmd == "banner":
        result = banner(args[0], int(args[1]), args[2] if len(args) > 2 else None)
    else:
        raise SystemExit("unknown probe " + cmd)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
