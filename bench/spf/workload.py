#!/usr/bin/python3
# Writes the bench/spf workload: a zone (bench.test) of provider-shaped SPF records with nested
# includes and customer domains using them, and the list of checks (ip, sender, helo, expected
# result) that every contender evaluates. Deterministic: the same files on every run.
import ipaddress
import sys

out = sys.argv[1]
Z = "bench.test"
zone = ["$ORIGIN %s." % Z, "$TTL 3600",
        "@ IN SOA ns1 hostmaster ( 1 3600 600 86400 3600 )", "@ IN NS ns1", "ns1 IN A 127.0.0.1"]


def txt(name, record):
    # Strings of at most 250 characters, as providers publish long records.
    parts = [record[i:i + 250] for i in range(0, len(record), 250)]
    zone.append("%s IN TXT %s" % (name, " ".join('"%s"' % p for p in parts)))


def blocks(base, n, step, prefix):
    net = ipaddress.ip_network(base)
    nets = list(net.subnets(new_prefix=prefix))
    return [str(nets[i * step]) for i in range(n)]


# Provider netblocks, carved out of the benchmarking range 198.18.0.0/15 (RFC 2544) and 2001:db8::/32.
prov = {
    "spfa.protection.outlook": blocks("198.18.0.0/19", 12, 2, 24) + blocks("2001:db8:100::/40", 4, 1, 48),
    "spfb.protection.outlook": blocks("198.18.32.0/19", 10, 3, 24) + blocks("2001:db8:200::/40", 3, 1, 48),
    "_netblocks.google": blocks("198.18.64.0/19", 15, 2, 24),
    "_netblocks2.google": blocks("2001:db8:300::/40", 12, 1, 48),
    "_netblocks3.google": blocks("198.18.96.0/19", 8, 4, 24),
    "sendgrid": blocks("198.18.128.0/20", 8, 2, 24),
    "amazonses": blocks("198.18.144.0/20", 6, 2, 24),
    "_spf1.mailgun": blocks("198.18.160.0/20", 10, 1, 24),
}
for name, nets in prov.items():
    terms = " ".join(("ip6:" if ":" in n else "ip4:") + n for n in nets)
    txt(name, "v=spf1 %s ~all" % terms)
txt("spf.protection.outlook",
    "v=spf1 include:spfa.protection.outlook.%s include:spfb.protection.outlook.%s -all" % (Z, Z))
txt("_spf.google", "v=spf1 include:_netblocks.google.%s include:_netblocks2.google.%s "
    "include:_netblocks3.google.%s ~all" % (Z, Z, Z))
txt("_spf.mailgun", "v=spf1 include:_spf1.mailgun.%s ~all" % Z)

# Which provider blocks each shape of customer record reaches.
shapes = [
    ("v=spf1 include:spf.protection.outlook.%s -all" % Z, ["spfa.protection.outlook", "spfb.protection.outlook"], "fail"),
    ("v=spf1 include:_spf.google.%s ~all" % Z, ["_netblocks.google", "_netblocks2.google", "_netblocks3.google"], "softfail"),
    ("v=spf1 mx a ip4:{own} include:_spf.google.%s include:sendgrid.%s -all" % (Z, Z),
     ["_netblocks3.google", "sendgrid"], "fail"),
    ("v=spf1 ip4:{own} include:spf.protection.outlook.%s include:amazonses.%s include:_spf.mailgun.%s ~all" % (Z, Z, Z),
     ["spfb.protection.outlook", "amazonses", "_spf1.mailgun"], "softfail"),
]
checks = []
for i in range(40):
    rec, reach, default = shapes[i % len(shapes)]
    d = "c%02d" % i
    own = "198.19.%d.0/24" % i
    txt(d, rec.replace("{own}", own))
    zone.append("%s IN MX 10 mx.%s" % (d, d))
    zone.append("mx.%s IN A 198.19.%d.25" % (d, 100 + i))
    zone.append("%s IN A 198.19.%d.80" % (d, 200 - i))
    sender = "user%d@%s.%s" % (i, d, Z)
    # A pass from the deepest block reached, a pass from another, and an outsider.
    for k, pname in enumerate(reach[-2:]):
        net = ipaddress.ip_network(prov[pname][(i + k) % len(prov[pname])])
        checks.append((str(net.network_address + 7), sender, "pass"))
    checks.append(("198.19.250.%d" % (i + 1), sender, default))
with open("%s/%s.zone" % (out, Z), "w") as f:
    f.write("\n".join(zone) + "\n")
with open("%s/workload.txt" % out, "w") as f:
    for ip, sender, want in checks:
        f.write("%s %s mail.example.net %s\n" % (ip, sender, want))
