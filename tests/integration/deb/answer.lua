-- The packaged mxguard-milter answers the milter protocol: negotiation, then a reply to the
-- connection of a client. MILTER names its socket.
local passed, failed = 0, 0
local function check(desc, cond)
	if cond then passed = passed + 1; print("ok - " .. desc)
	else failed = failed + 1; print("not ok - " .. desc) end
end

local conn = mt.connect(os.getenv("MILTER"), 20, 0.25)
check("miltertest connects to the packaged milter", conn ~= nil)
if conn ~= nil then
	-- conninfo negotiates first, then sends the client's name and address.
	check("negotiation and connect info", mt.conninfo(conn, "client.example", "192.0.2.1") == nil)
	local r = mt.getreply(conn)
	check("the milter answers the connection", r == SMFIR_CONTINUE or r == SMFIR_ACCEPT)
	mt.disconnect(conn)
end
print(passed .. " passed, " .. failed .. " failed")
if failed > 0 then os.exit(1) end
