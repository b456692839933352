-- The queue id in the log line when the MTA sends "i" at MAIL FROM only (Sendmail); a message
-- with none on the same connection says NOQUEUE instead of the id of the message before it.
-- (miltertest sends macros with connect, HELO, MAIL and RCPT only: the ids Postfix sends at end
-- of header and message are checked through a real Postfix, milter-postfix.sh.)
local T = dofile(os.getenv("MILTER_DIR") .. "/common.lua")
local log = os.getenv("MXG_WORK") .. "/m-default.log"

-- The log line of the message whose MAIL FROM was mailfrom, last one first; nil if none.
local function logged(mailfrom)
	local f = io.open(log, "r")
	if f == nil then return nil end
	local found
	for line in f:lines() do
		if T.has(line, "mail_from=<" .. mailfrom .. ">") then found = line end
	end
	f:close()
	return found
end

-- One message; macros: { mail = ID or nil }.
local function message(conn, mailfrom, macros)
	if macros.mail then
		mt.macro(conn, SMFIC_MAIL, "i", macros.mail)
	else
		mt.macro(conn, SMFIC_MAIL, "{auth_type}", "")
	end
	if mt.mailfrom(conn, "<" .. mailfrom .. ">") ~= nil then error("mailfrom failed") end
	pcall(mt.rcptto, conn, "<rcpt@example.test>")
	local headers, body = T.read_message(T.msg("aligned"))
	local leadspc = mt.test_option(conn, SMFIP_HDR_LEADSPC)
	for _, h in ipairs(headers) do
		local v = h.value
		if not leadspc then v = v:gsub("^[ \t]+", "") end
		if mt.header(conn, h.name, v) ~= nil then error("header failed") end
	end
	if mt.eoh(conn) ~= nil then error("eoh failed") end
	if mt.bodystring(conn, body) ~= nil then error("body failed") end
	if mt.eom(conn) ~= nil then error("eom failed") end
	return mt.getreply(conn)
end

T.main(function()
	local conn = T.connect()
	T.check("connect", T.conninfo(conn, { client_ip = "192.0.2.10" }) == SMFIR_CONTINUE)
	pcall(mt.helo, conn, "mx.sender.auth.test")
	message(conn, "q1@aligned.auth.test", { mail = "SMQID0000001" })
	T.check("i at MAIL FROM only (Sendmail): logged with it",
		T.has(logged("q1@aligned.auth.test"), "info: SMQID0000001: client="))
	message(conn, "q3@aligned.auth.test", {})
	T.check("no i for the next message on the connection: NOQUEUE, not the previous id",
		T.has(logged("q3@aligned.auth.test"), "info: NOQUEUE: client="))
	message(conn, "q4@aligned.auth.test", { mail = "bad id" })
	T.check("an id with a blank is not logged", T.has(logged("q4@aligned.auth.test"), "info: NOQUEUE: client="))
	mt.disconnect(conn)
end)
