-- Messages that pass DMARC: aligned SPF and DKIM, SPF alone, DKIM alone (SPF fails).
local T = dofile(os.getenv("MILTER_DIR") .. "/common.lua")

local function case(desc, t, want)
	local conn, r = T.run(t)
	T.check(desc .. ": accepted", T.accepted(r))
	local ar = T.our_authres(conn)
	print("# " .. desc .. ": Authentication-Results:" .. tostring(ar):gsub("\n", "\n#   "))
	T.check(desc .. ": our Authentication-Results inserted", ar ~= nil)
	T.check(desc .. ": authserv-id first", ar ~= nil and ar:match("^%s*mta%.mxguard%.test;") ~= nil)
	for _, w in ipairs(want) do T.check(desc .. ": A-R says " .. w, T.has(ar, w)) end
	T.check(desc .. ": not quarantined", not mt.eom_check(conn, MT_QUARANTINE))
	mt.disconnect(conn)
end

T.main(function()
	case("aligned", { client_ip = "192.0.2.10", mailfrom = "bounce@aligned.auth.test",
			  message = T.msg("aligned-signed") },
	     { "spf=pass", "smtp.mailfrom=bounce@aligned.auth.test", "dkim=pass", "header.d=aligned.auth.test",
	       "dmarc=pass", "header.from=aligned.auth.test" })
	case("spf only", { client_ip = "192.0.2.10", mailfrom = "bounce@aligned.auth.test",
			   message = T.msg("aligned") },
	     { "spf=pass", "dkim=none", "dmarc=pass" })
	case("dkim only", { client_ip = "198.51.100.5", mailfrom = "bounce@aligned.auth.test",
			    message = T.msg("aligned-signed") },
	     { "spf=fail", "dkim=pass", "dmarc=pass" })
	case("broken signature, SPF aligned", { client_ip = "192.0.2.10", mailfrom = "bounce@aligned.auth.test",
						message = T.msg("aligned-tampered") },
	     { "spf=pass", "dkim=fail", "dmarc=pass" })
	-- ARC (RFC 8617): a chain sealed by the forwarder list.auth.test, then the same broken by
	-- a change to the body after sealing (SPF still aligns, so DMARC passes either way).
	case("arc sealed", { client_ip = "192.0.2.10", mailfrom = "bounce@aligned.auth.test",
			     message = T.msg("aligned-sealed") },
	     { "dkim=pass", "dmarc=pass", "arc=pass (i=1 d=list.auth.test)" })
	case("arc broken after sealing", { client_ip = "192.0.2.10", mailfrom = "bounce@aligned.auth.test",
					   message = T.msg("aligned-sealbroken") },
	     { "dkim=fail", "dmarc=pass", "arc=fail reason=\"ARC-Message-Signature i=1: body hash mismatch\"" })
	case("helo identity", { client_ip = "192.0.2.10", helo = "mx.sender.auth.test", mailfrom = "",
				message = T.msg("aligned-signed") },
	     { "smtp.helo=mx.sender.auth.test", "dmarc=pass" })
end)
