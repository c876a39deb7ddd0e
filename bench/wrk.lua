-- The wrk script of bench/run.py (wrk -s bench/wrk.lua).
--
-- With $BENCH_BODY_FILE set, every request is a POST of that file's JSON (the GraphQL
-- rows); other headers (token, session and CSRF cookies) come from wrk -H.
-- Every response's X-Nexus-Ms (the time inside the worker, from hub.metrics'
-- outermost middleware to the response; sent when NEXUS_METRICS_HEADERS is on) is kept,
-- and done() prints its p50/p99 as one line: "server-ms <n> <p50> <p99>".

local body_file = os.getenv("BENCH_BODY_FILE")
if body_file and body_file ~= "" then
  local file = assert(io.open(body_file, "rb"))
  wrk.method = "POST"
  wrk.body = file:read("*a")
  file:close()
  wrk.headers["Content-Type"] = "application/json"
end

-- With $BENCH_FRESH=1, every request's address gets its own query parameter (?fresh=N), so
-- no request finds a whole page kept for it (hub/page_cache.py): a person's first read of a
-- page, with only the fragments and shared copies cached.
if os.getenv("BENCH_FRESH") == "1" then
  local served = 0
  local separator = string.find(wrk.path, "?", 1, true) and "&" or "?"
  function request()
    served = served + 1
    return wrk.format(nil, wrk.path .. separator .. "fresh=" .. served)
  end
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

samples = {}
count = 0

function response(status, headers, body)
  local ms = headers["X-Nexus-Ms"]
  if ms then
    count = count + 1
    samples[count] = tonumber(ms)
  end
end

function done(summary, latency, requests)
  local all = {}
  for _, thread in ipairs(threads) do
    local mine = thread:get("samples")
    for i = 1, thread:get("count") do
      all[#all + 1] = mine[i]
    end
  end
  table.sort(all)
  local n = #all
  if n == 0 then
    io.write("server-ms 0 - -\n")
    return
  end
  local function at(q)
    return all[math.max(1, math.min(n, math.ceil(q * n)))]
  end
  io.write(string.format("server-ms %d %.2f %.2f\n", n, at(0.50), at(0.99)))
end
