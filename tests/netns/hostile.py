# A hostile router for the test home (tests/hostile_home.rs), run inside its own network
# namespace: python3 -u hostile.py <own ip> <victim ip>
#
# It answers every SSDP search with a flood of replies with escape codes in every header, and
# serves, over HTTP on ports 80 and 5000:
#   /deep.xml      a description nested 5,000 deep (35 KB)
#   /endless.xml   a description that never ends
#   /slow.xml      a description trickled a byte at a time
#   /igd-<kind>.xml  a valid InternetGatewayDevice description (escape codes in every field)
#                  whose WANIPConnection control URL is /ctl/<kind>, where <kind> is
#   escape (well-formed SOAP with escape codes in every value), endless, slow or deep
#   /              an admin page whose title and Server header hold escape codes
# and telnet (23) and RTSP (554) banners with escape codes.
#
# Bounds (the harness's rule: every loop bounded in count and time): the SSDP flood is at most
# FLOOD datagrams per search and MAX_SEARCHES searches; an endless body stops after ENDLESS_BYTES
# or STREAM_SECONDS; a trickle after STREAM_SECONDS. It only ever answers; it never connects.
import socket
import socketserver
import struct
import sys
import threading
import time

OWN_IP = sys.argv[1]
VICTIM_IP = sys.argv[2]
FLOOD = 3000
MAX_SEARCHES = 200
ENDLESS_BYTES = 1 << 30
STREAM_SECONDS = 60.0
ESC = "\x1b[2J\x1b]0;pwned\x07\u202e\x9b31m"

searches = 0


def igd(kind):
    f = lambda name: "<%s>%s %s</%s>" % (name, name, ESC, name)
    return (
        '<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0">'
        "<specVersion><major>1</major><minor>0</minor></specVersion><device>"
        "<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>"
        + f("friendlyName") + f("manufacturer") + f("modelName") + f("modelNumber")
        + f("serialNumber") + "<UDN>uuid:hostile-" + kind + "</UDN>"
        "<presentationURL>http://" + OWN_IP + "/" + ESC + "</presentationURL>"
        "<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType>"
        "<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType>"
        "<serviceList><service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>"
        "<serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId><controlURL>/ctl/" + kind + "</controlURL>"
        "<SCPDURL>/scpd.xml</SCPDURL></service></serviceList></device></deviceList></device></deviceList>"
        "</device></root>"
    ).encode("utf-8")


def soap(body):
    return (
        '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        + body + "</s:Body></s:Envelope>"
    ).encode("utf-8")


def soap_escape(request):
    if b"GetStatusInfo" in request:
        return 200, soap(
            '<u:GetStatusInfoResponse xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:1">'
            "<NewConnectionStatus>Connected" + ESC + "</NewConnectionStatus>"
            "<NewLastConnectionError>" + ESC + "</NewLastConnectionError>"
            "<NewUptime>123456</NewUptime></u:GetStatusInfoResponse>"
        )
    if b"<NewPortMappingIndex>0</NewPortMappingIndex>" in request:
        return 200, soap(
            '<u:GetGenericPortMappingEntryResponse xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:1">'
            "<NewRemoteHost></NewRemoteHost><NewExternalPort>8554</NewExternalPort>"
            "<NewProtocol>TCP" + ESC + "</NewProtocol><NewInternalPort>554</NewInternalPort>"
            "<NewInternalClient>" + VICTIM_IP + "</NewInternalClient><NewEnabled>1</NewEnabled>"
            "<NewPortMappingDescription>Camera" + ESC + "</NewPortMappingDescription>"
            "<NewLeaseDuration>0</NewLeaseDuration></u:GetGenericPortMappingEntryResponse>"
        )
    return 500, soap(
        "<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>"
        '<UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>713</errorCode>'
        "<errorDescription>SpecifiedArrayIndexInvalid" + ESC + "</errorDescription></UPnPError>"
        "</detail></s:Fault>"
    )


DEEP = ("<root>" + "<d>" * 5000 + "</d>" * 5000 + "</root>").encode()


def read_request(s):
    s.settimeout(2.0)
    data = b""
    try:
        while len(data) < 65536:
            chunk = s.recv(65536 - len(data))
            if not chunk:
                break
            data += chunk
            head, sep, body = data.partition(b"\r\n\r\n")
            if sep:
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        try:
                            length = int(line.split(b":", 1)[1].strip())
                        except ValueError:
                            length = 0
                if len(body) >= min(length, 65536):
                    break
    except OSError:
        pass
    return data


def send(s, status, body, ctype=b"text/xml"):
    reason = b"OK" if status == 200 else b"Internal Server Error"
    s.sendall(
        b"HTTP/1.1 %d %s\r\nServer: hostile " % (status, reason) + ESC.encode()
        + b"\r\nContent-Type: " + ctype + b"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
        + body
    )


def endless(s, unit):
    s.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n")
    chunk = unit * (65536 // len(unit))
    sent, started = 0, time.monotonic()
    while sent < ENDLESS_BYTES and time.monotonic() - started < STREAM_SECONDS:
        s.sendall(chunk)
        sent += len(chunk)


def trickle(s, body):
    s.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n" % len(body))
    started = time.monotonic()
    for b in body:
        if time.monotonic() - started > STREAM_SECONDS:
            break
        s.sendall(bytes([b]))
        time.sleep(0.2)


class Http(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        try:
            request = read_request(s)
            line = request.split(b"\r\n", 1)[0].split(b" ")
            path = line[1].decode("latin-1") if len(line) > 1 else "/"
            if path == "/deep.xml" or path == "/ctl/deep":
                send(s, 200, DEEP)
            elif path == "/endless.xml" or path == "/ctl/endless":
                endless(s, b"<a>")
            elif path == "/slow.xml" or path == "/ctl/slow":
                trickle(s, igd("slow"))
            elif path.startswith("/igd-") and path.endswith(".xml"):
                send(s, 200, igd(path[len("/igd-"):-len(".xml")]))
            elif path == "/ctl/escape":
                status, body = soap_escape(request)
                send(s, status, body)
            else:
                title = ("Admin " + ESC + "<script>alert(1)</script>").encode("utf-8")
                send(s, 200, b"<html><head><title>" + title + b"</title></head></html>", b"text/html")
        except OSError:
            pass


class Banner(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        try:
            port = s.getsockname()[1]
            if port == 23:
                s.sendall(b"\xff\xfd\x18" + ("Router " + ESC + "\r\nlogin: ").encode("utf-8"))
            else:
                read_request(s)
                s.sendall(
                    ("RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\nServer: cam " + ESC
                     + '\r\nWWW-Authenticate: Digest realm="' + ESC + '", nonce="1"\r\n\r\n').encode("utf-8")
                )
            s.settimeout(2.0)
            try:
                s.recv(4096)
            except OSError:
                pass
        except OSError:
            pass


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def ssdp():
    global searches
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("0.0.0.0", 1900))
    mreq = struct.pack("4s4s", socket.inet_aton("239.255.255.250"), socket.inet_aton(OWN_IP))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    paths = ["/deep.xml", "/endless.xml", "/slow.xml", "/igd-escape.xml", "/igd-endless.xml"]
    while searches < MAX_SEARCHES:
        data, addr = sock.recvfrom(8192)
        if not data.startswith(b"M-SEARCH"):
            continue
        searches += 1
        for i in range(FLOOD):
            path = paths[i % len(paths)]
            reply = (
                "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nEXT:\r\n"
                "LOCATION: http://%s:5000%s\r\n"
                "SERVER: Hostile/1.0 %s UPnP/1.0\r\n"
                "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"
                "USN: uuid:hostile-%d%s::urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n\r\n"
                % (OWN_IP, path, ESC, i, ESC)
            ).encode("utf-8")
            try:
                sock.sendto(reply, addr)
            except OSError:
                pass


def main():
    servers = []
    for port, handler in [(80, Http), (5000, Http), (23, Banner), (554, Banner)]:
        srv = Server(("0.0.0.0", port), handler)
        servers.append(srv)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    threading.Thread(target=ssdp, daemon=True).start()
    print("listening", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
