-- Traffic for the metrics file of the rollout milter MILTER_METRICS (counted by
-- milter-miltertest.sh): one trusted connection, two passing messages, three forged ones under
-- p=reject (rollout: accepted, would reject). Run by the suite, not by the loop over scripts.
local T = dofile(os.getenv("MILTER_DIR") .. "/common.lua")

T.main(function()
	local conn = T.connect("MILTER_METRICS")
	T.check("trusted client accepted at connect", T.conninfo(conn, { client_ip = "127.0.0.1" }) == SMFIR_ACCEPT)
	mt.disconnect(conn)
	for i = 1, 2 do
		local c, r = T.run({ milter = "MILTER_METRICS", client_ip = "192.0.2.10",
				     mailfrom = "bounce@aligned.auth.test", message = T.msg("aligned-signed") })
		T.check("pass " .. i .. ": accepted", T.accepted(r))
		mt.disconnect(c)
	end
	for i = 1, 3 do
		local c, r = T.run({ milter = "MILTER_METRICS", client_ip = "198.51.100.5",
				     mailfrom = "bounce@aligned.auth.test", message = T.msg("aligned") })
		T.check("forged " .. i .. ": accepted (rollout)", T.accepted(r))
		mt.disconnect(c)
	end
end)
