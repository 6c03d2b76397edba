-- wrk script for bench/web-load.sh.
-- Environment (read by every wrk thread, so no per-request work for it):
--   OPSOG_COOKIE    Cookie header value, e.g. "opsog_session=..."
--   OPSOG_IDS_FILE  optional: file with one person id per line; when set,
--                   requests rotate through /people/<id> instead of wrk's URL path
--   OPSOG_LABEL     name printed in the result line
-- done() prints one "opsog-result" line that web-load.sh turns into a table.

local cookie = os.getenv("OPSOG_COOKIE")
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end

local ids_file = os.getenv("OPSOG_IDS_FILE")
local paths = {}
if ids_file and ids_file ~= "" then
  for line in io.lines(ids_file) do
    if line ~= "" then
      paths[#paths + 1] = "/people/" .. line
    end
  end
  if #paths == 0 then
    error("no ids in " .. ids_file)
  end
end

-- Give each thread a different start so threads do not hit the same rows in step.
local thread_no = 0
function setup(thread)
  thread:set("offset", thread_no * 7919)
  thread_no = thread_no + 1
end

-- Only defined when rotating: without request() wrk reuses one prebuilt request,
-- which keeps the client's own cost out of the static and list measurements.
if #paths > 0 then
  local n = 0
  function request()
    n = n + 1
    local i = ((offset or 0) + n) % #paths + 1
    return wrk.format("GET", paths[i])
  end
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout + e.status
  io.write(string.format(
    "opsog-result label=%s p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f rps=%.1f requests=%d errors=%d non_2xx_3xx=%d\n",
    os.getenv("OPSOG_LABEL") or "run",
    latency:percentile(50) / 1000,
    latency:percentile(95) / 1000,
    latency:percentile(99) / 1000,
    summary.requests / secs,
    summary.requests,
    errors,
    e.status))
end
