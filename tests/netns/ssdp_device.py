# A UPnP device stand-in for a test home's namespace (see mod.rs): answers SSDP M-SEARCH on
# 239.255.255.250:1900 with a LOCATION on its own address, serves the description there, and, when
# asked, floods: answers every search with FLOOD replies (as a misbehaving device does).
# Started as: python3 -u ssdp_device.py <own ip> <http port> <description file> <flood count>
# [<json>], where the optional JSON makes it answer as a given real device does:
# {"server": "..." or "" for no SERVER header, "st": [the search targets it answers],
#  "usn": "uuid:...", "only_when_named": true when it answers only a search naming one of its
#  targets, never ssdp:all}.
# It only ever answers the address that searched, inside the test home; every read is bounded.
import http.server
import json
import socket
import socketserver
import struct
import sys
import threading

IP, PORT, DESCRIPTION, FLOOD = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
BODY = open(DESCRIPTION, "rb").read()
LOCATION = "http://%s:%d/rootDesc.xml" % (IP, PORT)
SERVER = "Linux/5.10 DLNADOC/1.50 UPnP/1.0 MiniDLNA/1.3.3"
REAL = json.loads(sys.argv[5]) if len(sys.argv) > 5 else None


class Description(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/rootDesc.xml":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", 'text/xml; charset="utf-8"')
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def real_reply(st):
    server = "SERVER: %s\r\n" % REAL["server"] if REAL["server"] else ""
    return (
        "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: %s\r\n"
        "%sST: %s\r\nUSN: %s::%s\r\n\r\n" % (LOCATION, server, st, REAL["usn"], st)
    ).encode()


def real_targets(st):
    """The targets a real device answers a search for `st` with."""
    if st == "ssdp:all":
        return [] if REAL.get("only_when_named") else list(REAL["st"])
    return [st] if st in REAL["st"] else []


def reply(st, n):
    usn = "uuid:4d696e69-444c-164e-9d41-001132a5b6c7"
    if FLOOD > 1:
        usn = "uuid:f100d000-0000-4000-8000-%012d" % 0
        st = "urn:flood-test:device:D%d:1" % n
    return (
        "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: %s\r\n"
        "SERVER: %s\r\nST: %s\r\nUSN: %s::%s\r\n\r\n" % (LOCATION, SERVER, st, usn, st)
    ).encode()


def ssdp():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("0.0.0.0", 1900))
    group = struct.pack("4s4s", socket.inet_aton("239.255.255.250"), socket.inet_aton(IP))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, group)
    out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    out.bind((IP, 0))
    while True:
        data, sender = sock.recvfrom(4096)
        if not data.startswith(b"M-SEARCH * HTTP/1.1\r\n"):
            continue
        st = "upnp:rootdevice"
        for line in data.split(b"\r\n"):
            if line.lower().startswith(b"st:"):
                st = line.split(b":", 1)[1].strip().decode("ascii", "replace")[:200]
        if REAL is not None:
            for target in real_targets(st)[:8]:
                out.sendto(real_reply(target), sender)
            continue
        # Like MiniDLNA: answer only for what it is (a media server), never for a router search.
        if st == "ssdp:all":
            st = "urn:schemas-upnp-org:device:MediaServer:1"
        elif st not in ("upnp:rootdevice", "urn:schemas-upnp-org:device:MediaServer:1",
                        "urn:schemas-upnp-org:service:ContentDirectory:1"):
            continue
        for n in range(max(FLOOD, 1)):
            out.sendto(reply(st, n), sender)


threading.Thread(target=ssdp, daemon=True).start()
Server((IP, PORT), Description).serve_forever()
