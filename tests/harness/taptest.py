"""What the Python test scripts share: named tests collected as TAP results, eq, a free loopback
port, and the TAP summary at the end. Import with
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
"""
import shutil
import socket
import sys

results = []


def test(fn):
    """Runs fn now; an assertion or any unexpected exception is its failure, with the message."""
    try:
        fn()
        results.append((fn.__name__, None))
    except AssertionError as err:
        results.append((fn.__name__, str(err) or "assertion failed"))
    except Exception as err:  # noqa: BLE001 - an unexpected exception fails the test, not the run
        results.append((fn.__name__, f"{type(err).__name__}: {err}"))
    return fn


def skip(name, reason):
    """Records a test that could not run here, with the reason TAP shows."""
    results.append((name, ("SKIP", reason)))


def eq(want, got, what=""):
    assert want == got, f"{what}: expected {want!r}, got {got!r}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def finish(tmp=None):
    """Prints the results as TAP and exits 1 if any failed; removes tmp when all passed (and
    leaves it for inspection otherwise)."""
    failed = any(f and not isinstance(f, tuple) for _, f in results)
    for i, (name, failure) in enumerate(results, 1):
        if isinstance(failure, tuple):
            print(f"ok {i} - {name} # SKIP {failure[1]}")
            continue
        if failure:
            for line in failure.splitlines():
                print("# " + line)
        print(f"{'not ok' if failure else 'ok'} {i} - {name}")
    print(f"1..{len(results)}")
    if tmp is not None:
        if failed:
            print(f"# left {tmp} for inspection")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(1 if failed else 0)
