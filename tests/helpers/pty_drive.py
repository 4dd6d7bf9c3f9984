"""Drives a program on a pseudo-terminal as a person would.

Reads a JSON plan on stdin: {"argv": [...], "env": {...}, "steps": [[regex, text], ...],
"timeout": seconds, "size": [columns, rows] (optional), "fresh": true (optional: each step's regex
matches only what the screen showed after the previous step's typing)}. For each step it waits until the screen matches `regex`, then types
`text` ("\\u0003" is Ctrl-C; "@file:PATH" types what appears in PATH, then Enter;
"@signal:NAME" sends the program that signal; "@stop-fg" stops it, turns echo back on as a shell
does when it gets the terminal back, and continues it, as Ctrl-Z then `fg` would). Prints JSON: the
exit code (or -signal), everything the terminal showed, and whether the terminal's echo was on again
after the program ended.
"""
import fcntl, json, os, pty, re, select, signal, struct, sys, termios, time

plan = json.load(sys.stdin)
pid, fd = pty.fork()
if pid == 0:
    if "size" in plan:  # the terminal's size, set before the program can ask for it
        columns, rows = plan["size"]
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    os.execve(plan["argv"][0], plan["argv"], plan["env"])
screen = b""
exited = []  # the program's wait status, once reaped
mark = 0  # with "fresh", where the output a step may match starts
deadline = time.time() + plan.get("timeout", 20)

def pump(until=None):
    global screen
    while time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                return False
            if not chunk:
                return False
            screen += chunk
        if until is not None and re.search(until, screen[mark:].decode("utf-8", "replace")):
            return True
        if until is None:
            done, raw = os.waitpid(pid, os.WNOHANG)
            if done:
                exited.append(raw)  # reaped here: keep its status
                return False
    return False

def drain_once():
    global screen
    ready, _, _ = select.select([fd], [], [], 0.05)
    if ready:
        try:
            screen += os.read(fd, 4096)
        except OSError:
            pass

for pattern, text in plan["steps"]:
    if not pump(pattern):
        break
    if text.startswith("@signal:"):
        os.kill(pid, getattr(signal, text[len("@signal:"):]))
        continue
    if text == "@stop-fg":
        # SIGSTOP, not the terminal's SIGTSTP: a program on a pty of its own is an orphaned
        # process group, which the kernel does not stop for Ctrl-Z.
        os.kill(pid, signal.SIGSTOP)
        os.waitpid(pid, os.WUNTRACED)
        attrs = termios.tcgetattr(fd)
        attrs[3] |= termios.ECHO | termios.ICANON
        termios.tcsetattr(fd, termios.TCSANOW, attrs)
        os.kill(pid, signal.SIGCONT)
        continue
    if text.startswith("@file:"):
        # Type what another party (the test) writes to this file, then Enter.
        path = text[len("@file:"):]
        while time.time() < deadline and not (os.path.exists(path) and os.path.getsize(path)):
            drain_once()  # keep reading the screen meanwhile
        with open(path) as f:
            text = f.read().strip() + "\r"
    try:
        os.write(fd, text.encode())
    except OSError:
        break  # the program has ended
    if plan.get("fresh"):
        mark = len(screen)
# Read until the program ends (or the deadline).
status = None
while time.time() < deadline and not exited:
    pump(None)
    if not exited:  # the terminal closed before the program was reaped
        done, raw = os.waitpid(pid, os.WNOHANG)
        if done:
            exited.append(raw)
        else:
            time.sleep(0.01)
if exited:
    status = exited[0]
if status is None:
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
try:
    while True:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if not ready:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        screen += chunk
except OSError:
    pass
echo = None
try:
    echo = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
except termios.error:
    pass
code = os.waitstatus_to_exitcode(status)
print(json.dumps({"code": code, "screen": screen.decode("utf-8", "replace"), "echo": echo}))
