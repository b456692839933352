-- Shared by the mxguard-milter miltertest scripts (loaded with dofile): reading a message
-- file, driving one SMTP transaction through the milter, and counted checks.
local M = {}

M.passed, M.failed = 0, 0

function M.check(desc, cond)
	if cond then
		M.passed = M.passed + 1
		print("ok - " .. desc)
	else
		M.failed = M.failed + 1
		print("not ok - " .. desc)
	end
end

-- Header fields (name, value as after the colon, folds kept as LF) and the body with CRLF.
function M.read_message(path)
	local f = assert(io.open(path, "rb"))
	local data = f:read("*a"):gsub("\r\n", "\n")
	f:close()
	local head, body = data:match("^(.-)\n\n(.*)$")
	if head == nil then head, body = data, "" end
	local headers = {}
	for line in (head .. "\n"):gmatch("(.-)\n") do
		if line:match("^[ \t]") and #headers > 0 then
			headers[#headers].value = headers[#headers].value .. "\n" .. line
		else
			local name, value = line:match("^([^:]+):(.*)$")
			if name == nil then error("bad header line: " .. line) end
			headers[#headers + 1] = { name = name, value = value }
		end
	end
	return headers, (body:gsub("\n", "\r\n"))
end

-- sock: a socket spec, or the name of an environment variable holding one (default MILTER).
function M.connect(sock)
	sock = sock or "MILTER"
	if not sock:match(":") then sock = os.getenv(sock) end
	local conn = mt.connect(sock, 40, 0.25)
	if conn == nil then error("cannot connect to " .. tostring(sock)) end
	mt.set_timeout(30)
	return conn
end

-- The connect step; returns the reply (SMFIR_ACCEPT for trusted clients).
function M.conninfo(conn, t)
	if mt.conninfo(conn, t.client_host or "unknown", t.client_ip or "192.0.2.10") ~= nil then
		error("conninfo failed")
	end
	return mt.getreply(conn)
end

-- One transaction on an open connection: t.mailfrom, t.auth, t.message (a file), t.queue_id.
-- Returns the end-of-message reply.
function M.transaction(conn, t)
	-- Macros go out with the command that follows: the queue id rides on MAIL here.
	if t.auth ~= nil then
		mt.macro(conn, SMFIC_MAIL, "i", t.queue_id or "TESTQID", "{auth_authen}", t.auth)
	else
		mt.macro(conn, SMFIC_MAIL, "i", t.queue_id or "TESTQID")
	end
	if mt.mailfrom(conn, "<" .. (t.mailfrom or "") .. ">") ~= nil then error("mailfrom failed") end
	pcall(mt.rcptto, conn, "<rcpt@example.test>")  -- raises when the milter declined RCPT
	local leadspc = mt.test_option(conn, SMFIP_HDR_LEADSPC)
	local headers, body = M.read_message(t.message)
	for _, h in ipairs(headers) do
		local v = h.value
		if not leadspc then v = v:gsub("^[ \t]+", "") end
		if mt.header(conn, h.name, v) ~= nil then error("header " .. h.name .. " failed") end
	end
	if mt.eoh(conn) ~= nil then error("eoh failed") end
	if mt.bodystring(conn, body) ~= nil then error("body failed") end
	if mt.eom(conn) ~= nil then error("eom failed") end
	return mt.getreply(conn)
end

-- Connect, HELO and one transaction; returns the connection and the end-of-message reply.
function M.run(t)
	local conn = M.connect(t.milter)
	local r = M.conninfo(conn, t)
	if r ~= SMFIR_CONTINUE then return conn, r end
	pcall(mt.helo, conn, t.helo or "mx.sender.auth.test")
	return conn, M.transaction(conn, t)
end

-- Our A-R field as inserted at the top, or nil.
function M.our_authres(conn)
	if not mt.eom_check(conn, MT_HDRINSERT, "Authentication-Results") then return nil end
	return mt.getheader(conn, "Authentication-Results", 0)
end

-- The texts of the milter's refusals, for MT_SMTPREPLY checks (miltertest matches the
-- enhanced code only together with the text).
function M.reject_text(domain)
	return "Message rejected: the DMARC policy of " .. domain ..
		" is reject and the message is not authenticated for it"
end

function M.temperror_text(domain)
	return "Temporary DNS failure checking sender authentication for " .. domain .. "; try again later"
end

function M.rejected(conn, r, domain)
	return r == SMFIR_REPLYCODE and mt.eom_check(conn, MT_SMTPREPLY, "550", "5.7.1", M.reject_text(domain))
end

-- A test message made by the suite script.
function M.msg(name)
	return os.getenv("MXG_WORK") .. "/msgs/" .. name .. ".eml"
end

-- 1 if the end-of-message reply let the message through.
function M.accepted(r)
	return r == SMFIR_CONTINUE or r == SMFIR_ACCEPT
end

-- Plain-text search (no Lua patterns) in s, which may be nil.
function M.has(s, needle)
	return s ~= nil and s:find(needle, 1, true) ~= nil
end

-- Runs main under pcall (miltertest prints no Lua error text) and ends with the count line.
function M.main(fn)
	local ok, err = pcall(fn)
	if not ok then M.check("script ran to the end: " .. tostring(err), false) end
	print(M.passed .. " passed, " .. M.failed .. " failed")
	if M.failed > 0 or M.passed == 0 then os.exit(1) end
	os.exit(0)
end

return M
