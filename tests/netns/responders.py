# Tiny TCP responders that stand in for a device's services inside a test home's network
# namespace (see mod.rs). Started as: python3 -u responders.py '<json list of listeners>'
# where each listener is {"port": 23, "kind": "telnet"|"rtsp"|"http"|"ssh"|"silent",
# "banner": "...", "title": "..."}. They only ever answer: they never connect anywhere.
# Every read is bounded in bytes and time; every connection is closed after one exchange.
import json
import socket
import socketserver
import sys
import threading

READ_LIMIT = 4096
READ_TIMEOUT = 2.0


def read_request(sock):
    """Reads up to READ_LIMIT bytes or until a blank line, within READ_TIMEOUT."""
    sock.settimeout(READ_TIMEOUT)
    data = b""
    try:
        while len(data) < READ_LIMIT and b"\r\n\r\n" not in data and b"\n\n" not in data:
            chunk = sock.recv(READ_LIMIT - len(data))
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    return data


def handler_for(spec):
    kind = spec["kind"]
    banner = spec.get("banner", "")
    title = spec.get("title", "")

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            s = self.request
            try:
                if kind == "telnet":
                    # IAC DO TERMINAL-TYPE, IAC WILL ECHO, IAC WILL SUPPRESS-GO-AHEAD, then a prompt.
                    s.sendall(b"\xff\xfd\x18\xff\xfb\x01\xff\xfb\x03" + banner.encode() + b"\r\nlogin: ")
                    s.settimeout(READ_TIMEOUT)
                    try:
                        s.recv(READ_LIMIT)
                    except OSError:
                        pass
                elif kind == "ssh":
                    s.sendall(banner.encode() + b"\r\n")
                    s.settimeout(READ_TIMEOUT)
                    try:
                        s.recv(READ_LIMIT)
                    except OSError:
                        pass
                elif kind == "rtsp":
                    req = read_request(s)
                    cseq = b"1"
                    for line in req.split(b"\n"):
                        if line.lower().startswith(b"cseq:"):
                            cseq = line.split(b":", 1)[1].strip()[:16]
                    s.sendall(
                        b"RTSP/1.0 401 Unauthorized\r\nCSeq: " + cseq + b"\r\nServer: "
                        + banner.encode()
                        + b'\r\nWWW-Authenticate: Digest realm="IP Camera", nonce="0011223344"\r\n\r\n'
                    )
                elif kind == "http":
                    read_request(s)
                    body = ("<html><head><title>%s</title></head><body>%s</body></html>\n" % (title, title)).encode()
                    s.sendall(
                        b"HTTP/1.1 200 OK\r\nServer: " + banner.encode()
                        + b"\r\nContent-Type: text/html\r\nContent-Length: " + str(len(body)).encode()
                        + b"\r\nConnection: close\r\n\r\n" + body
                    )
                else:  # silent: accept, wait briefly for the client, close
                    s.settimeout(READ_TIMEOUT)
                    try:
                        s.recv(READ_LIMIT)
                    except OSError:
                        pass
            except OSError:
                pass

    return Handler


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    specs = json.loads(sys.argv[1])
    servers = []
    for spec in specs:
        srv = Server(("0.0.0.0", spec["port"]), handler_for(spec))
        servers.append(srv)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    print("listening on %s" % ",".join(str(s["port"]) for s in specs), flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
