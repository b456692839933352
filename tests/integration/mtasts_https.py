#!/usr/bin/env python3
"""HTTPS server for the MTA-STS suite: serves /.well-known/mta-sts.txt per Host header.

Usage: mtasts_https.py CONFIG.json
CONFIG: {"listen": [{"addr": "127.0.0.10", "port": 443, "cert": PEM, "key": PEM}, ...],
         "hosts": {"mta-sts.x.test": {"status": 200, "type": "text/plain",
                                      "body": "...", "location": "https://..."}}}
A host not listed answers 404. Every request is logged on stderr with its Host.
"""
import http.server
import json
import ssl
import sys
import threading


def handler_for(hosts):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            host = (self.headers.get("Host") or "").split(":")[0].lower()
            entry = hosts.get(host)
            if entry is None or self.path != "/.well-known/mta-sts.txt":
                entry = {"status": 404, "type": "text/plain", "body": "not found\n"}
            body = entry.get("body", "").encode()
            self.send_response(entry.get("status", 200))
            self.send_header("Content-Type", entry.get("type", "text/plain"))
            if "location" in entry:
                self.send_header("Location", entry["location"])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *args):
            sys.stderr.write("%s %s\n" % (self.headers.get("Host"), fmt % args))
            sys.stderr.flush()

    return Handler


def main():
    with open(sys.argv[1]) as f:
        conf = json.load(f)
    handler = handler_for({k.lower(): v for k, v in conf["hosts"].items()})
    servers = []
    for l in conf["listen"]:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(l["cert"], l["key"])
        srv = http.server.ThreadingHTTPServer((l["addr"], l.get("port", 443)), handler)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        servers.append(srv)
    for srv in servers[1:]:
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    sys.stderr.write("listening\n")
    sys.stderr.flush()
    servers[0].serve_forever()


if __name__ == "__main__":
    main()
