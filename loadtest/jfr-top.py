#!/usr/bin/env python3
# usage: jfrtop.py FILE.jfr [N]  -- top self frames and top "first own-code" frames of CPU samples; top allocation sites
import json, subprocess, sys, collections
f = sys.argv[1]; n = int(sys.argv[2]) if len(sys.argv) > 2 else 25
def events(kind):
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", kind, f], capture_output=True, text=True).stdout
    return json.loads(out)["recording"]["events"]
def name(fr):
    m = fr["method"]; return m["type"]["name"].split(".")[-1] + "." + m["name"]
def full(fr):
    m = fr["method"]; return m["type"]["name"] + "." + m["name"]
ev = [e for e in events("jdk.ExecutionSample") if e["values"].get("stackTrace")]
tot = len(ev)
selfc = collections.Counter(); incl = collections.Counter()
for e in ev:
    fr = e["values"]["stackTrace"]["frames"]
    if not fr: continue
    selfc[full(fr[0])] += 1
    seen = set()
    for x in fr:
        k = full(x)
        if k not in seen:
            seen.add(k); incl[k] += 1
print(f"CPU samples: {tot}")
print("-- self (top frame) --")
for k, c in selfc.most_common(n): print(f"{100*c/tot:5.1f}%  {k}")
print("-- inclusive (frame anywhere on the stack) --")
for k, c in incl.most_common(n*2): print(f"{100*c/tot:5.1f}%  {k}")
al = events("jdk.ObjectAllocationSample")
w = collections.Counter(); cls = collections.Counter(); totw = 0
for e in al:
    v = e["values"]; wt = v.get("weight", 0); totw += wt
    ot = v["objectClass"]["name"]
    fr = (v.get("stackTrace") or {}).get("frames") or []
    site = " < ".join(name(x) for x in fr[:4])
    w[ot + " @ " + site] += wt; cls[ot] += wt
print(f"-- allocation (sampled weight) total {totw/1e6:.1f} MB --")
for k, c in cls.most_common(12): print(f"{100*c/max(totw,1):5.1f}%  {k}")
for k, c in w.most_common(n): print(f"{100*c/max(totw,1):5.1f}%  {k}")
