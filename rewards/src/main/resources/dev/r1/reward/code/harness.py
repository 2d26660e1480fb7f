# R1 code-reward harness: installs an audit hook that confines writes to the working directory
# and disables sockets and ctypes, then runs the solution (stdio mode) or the solution followed by
# one assert test (assert mode; prints the nonce read from stdin only when the test passed).
import os
import sys


def _main():
    work = os.path.realpath(os.getcwd())
    mode = sys.argv[1]
    solution = sys.argv[2]

    def inside(p):
        if isinstance(p, int):
            return True
        try:
            full = os.path.realpath(os.path.join(work, os.fsdecode(p)))
        except Exception:
            return False
        return full == work or full.startswith(work + os.sep)

    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
    path_events = {
        "os.remove": (0,), "os.rename": (0, 1), "os.rmdir": (0,), "os.mkdir": (0,),
        "os.symlink": (1,), "os.link": (1,), "os.chmod": (0,), "os.chown": (0,),
        "os.truncate": (0,), "os.utime": (0,), "os.mkfifo": (0,), "os.mknod": (0,),
    }

    def hook(event, args):
        if event == "open":
            path, mode_, flags = args
            writing = (isinstance(mode_, str) and any(c in mode_ for c in "wax+")) or (
                isinstance(flags, int) and flags & write_flags)
            if writing and not inside(path):
                raise PermissionError("sandbox: write outside the work dir: %r" % (path,))
        elif event in path_events:
            for i in path_events[event]:
                if i < len(args) and not inside(args[i]):
                    raise PermissionError("sandbox: %s outside the work dir: %r" % (event, args[i]))
        elif event.startswith("socket."):
            raise PermissionError("sandbox: network access is disabled (%s)" % event)
        elif event.startswith("ctypes."):
            raise PermissionError("sandbox: ctypes is disabled")

    with open(solution, encoding="utf-8") as f:
        source = f.read()
    if mode == "assert":
        nonce = sys.stdin.readline().strip()
        with open(sys.argv[3], encoding="utf-8") as f:
            test = f.read()
        code = compile(source, "solution.py", "exec")
        test_code = compile(test, "test.py", "exec")
        sys.addaudithook(hook)
        scope = {"__name__": "__solution__", "__builtins__": __builtins__}
        exec(code, scope)
        exec(test_code, scope)
        sys.stdout.flush()
        os.write(1, ("\n" + nonce + "\n").encode())
    else:
        code = compile(source, "solution.py", "exec")
        sys.addaudithook(hook)
        scope = {"__name__": "__main__", "__builtins__": __builtins__}
        exec(code, scope)


_main()
