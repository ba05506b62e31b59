-- wrk script of the server benchmark. Arguments (after --): TOKENS_FILE PATH [PATH...]
-- Every request carries one of the bearer tokens of TOKENS_FILE (one a line, used in turn, so no
-- user goes over the server's per-user rate limit) and one of the paths, in turn. The requests are
-- built once in init; done() prints one line "WRK_RESULT {json}" for the benchmark to parse.
local requests = {}
local count = 0
local index = 0

init = function(args)
  local tokens = {}
  for line in io.lines(args[1]) do
    if line ~= "" then tokens[#tokens + 1] = line end
  end
  local paths = {}
  for i = 2, #args do paths[#paths + 1] = args[i] end
  for i, token in ipairs(tokens) do
    local path = paths[(i - 1) % #paths + 1]
    requests[#requests + 1] = wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
  end
  count = #requests
end

request = function()
  index = index % count + 1
  return requests[index]
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"durationUs":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d},"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
