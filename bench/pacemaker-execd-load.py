#!/usr/bin/python3
"""The peer's side of the executor load benchmark (issue 6): Pacemaker 2.1.5's pacemaker-execd
running N ocf:heartbeat:Dummy resources on 10 s recurring monitors, its own CPU measured the way
HaCluster.Benchmarks executor-load measures ours (the process's utime+stime, the agents it reaps
counted apart as cutime+cstime).

usage: pacemaker-execd-load.py PEERS_PCMK_DIR RESOURCES SECONDS

It uses the peers' 2-node Corosync+Pacemaker harness (../shared/peers/pcmk-cluster: network,
mount and UTS namespaces pcbr/pc1/pc2/pcc). node2 is put in standby so every resource runs on
node1, whose pacemaker-execd is measured. Everything it starts is killed by pid (the processes
of the two namespaces) and the namespaces are removed at the end.
"""
import os, re, signal, subprocess, sys, time

peers, count, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
D = "/tmp/pcm"
TICKS = os.sysconf("SC_CLK_TCK")


def sh(cmd, check=False):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True, check=check)


def in_node(i, cmd):
    pid = open(f"{D}/node{i}/corosync.pid").read().strip()
    return sh(f"nsenter -t {pid} -n -m -u {cmd}")


def pids_of(ns):
    return [int(p) for p in sh(f"ip netns pids {ns}").stdout.split()]


def process_named(ns, name):
    for p in pids_of(ns):
        try:
            # The kernel keeps 15 characters of a command's name.
            if open(f"/proc/{p}/comm").read().strip() == name[:15]:
                return p
        except OSError:
            pass
    raise RuntimeError(f"no {name} in {ns}")


def cpu(pid):
    """(own, reaped children) CPU seconds of a process, from /proc/PID/stat."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    # After the command: state is fields[0], utime [11], stime [12], cutime [13], cstime [14].
    return (int(fields[11]) + int(fields[12])) / TICKS, (int(fields[13]) + int(fields[14])) / TICKS


def wait_until(what, test, timeout):
    start = time.time()
    while time.time() - start < timeout:
        if test():
            return time.time() - start
        time.sleep(2)
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting until {what}")


def cleanup():
    for ns in ("pc1", "pc2"):
        for p in pids_of(ns):
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
    sh(f"{peers}/netns-down.sh")
    sh(f"rm -rf {D}/node1 {D}/node2 {D}/resources.xml")


sh(f"{peers}/netns-down.sh")
sh(f"{peers}/netns-up.sh", check=True)
try:
    for i in (1, 2):
        sh(f"rm -rf {D}/node{i}")
        sh(f"{peers}/node-start.sh {i} default", check=True)
    for i in (1, 2):
        wait_until(f"node{i} starts", lambda: os.path.exists(f"{D}/node{i}/corosync.pid"), 30)
    wait_until("both nodes are online with a DC", lambda: (lambda out: len(re.findall(r'online="true"', out)) >= 2
               and '<current_dc present="true"' in out)(in_node(1, "crm_mon -1 -X").stdout), 180)
    in_node(1, "crm_attribute -t crm_config -n stonith-enabled -v false")
    in_node(1, "crm_attribute -t crm_config -n no-quorum-policy -v ignore")
    in_node(1, "crm_attribute -N node2 -n standby -v on")
    primitives = "".join(
        f'<primitive id="d{n}" class="ocf" provider="heartbeat" type="Dummy"><operations>'
        f'<op id="d{n}-monitor" name="monitor" interval="10s" timeout="20s"/></operations></primitive>'
        for n in range(count))
    xml = f"{D}/resources.xml"
    with open(xml, "w") as f:
        f.write(f"<resources>{primitives}</resources>")
    result = in_node(1, f"cibadmin --replace -o resources --xml-file {xml}")
    if result.returncode != 0:
        raise RuntimeError(f"cibadmin: {result.stderr}")
    took = wait_until(f"{count} resources run on node1",
                      lambda: in_node(1, "crm_mon -1 -X").stdout.count('role="Started"') >= count, 900)
    print(f"pacemaker: {count} resources started in {took:.0f} s", flush=True)
    execd = process_named("pc1", "pacemaker-execd")
    controld = process_named("pc1", "pacemaker-controld")
    # Two intervals of warm-up, as executor-load: the monitors' first runs spread over one.
    time.sleep(20)
    e0, c0, k0 = cpu(execd), cpu(controld), time.monotonic()
    time.sleep(seconds)
    e1, c1, k1 = cpu(execd), cpu(controld), time.monotonic()
    wall = k1 - k0
    rss = int(re.search(r"VmRSS:\s+(\d+)", open(f"/proc/{execd}/status").read()).group(1))
    print(f"{count} x ocf:heartbeat:Dummy, monitor every 10s, Pacemaker 2.1.5, measured for {wall:.0f} s:")
    print(f"  pacemaker-execd (this process): {100 * (e1[0] - e0[0]) / wall:.2f}% of one core")
    print(f"  agents (its children):          {100 * (e1[1] - e0[1]) / wall:.1f}% of one core")
    print(f"  pacemaker-controld:             {100 * (c1[0] - c0[0]) / wall:.2f}% of one core")
    print(f"  memory: pacemaker-execd RSS {rss // 1024} MB")
finally:
    cleanup()
