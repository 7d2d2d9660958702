"""A TCP proxy for half-dead networks: listens on a loopback port and forwards every connection
to a target (casestore), byte for byte (TLS passes through untouched, so the kiosk's pin still
holds). On command it

  freeze(after=N)  stops forwarding on every connection once its client has sent N bursts
                   (N=0: at once; N=2: after the TLS handshake and the first request), keeping
                   the sockets open: a link that goes silent after the connection is up;
  cut()            closes every open connection now;
  cut_responses(p) from now on, when the server starts an answer on a connection whose client
                   has sent at least 2 bursts, closes that connection with probability p after
                   forwarding `after_bytes` of it (0: before the client sees a byte - the case
                   in which libcurl re-sends the request on a new connection);
  refuse()         stops listening: connecting is refused;
  restore()        back to plain forwarding (listening again; frozen connections stay frozen).

A burst is what one side sends before the other answers. Use:
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "harness"))
    from faultproxy import FaultProxy
    p = FaultProxy(target_port); ... p.url ...; p.close()
"""
import random
import selectors
import socket
import threading


class _Conn:
    def __init__(self, client, server):
        self.client, self.server = client, server
        self.client_bursts = 0
        self.last = None  # "c" or "s": who sent last
        self.frozen = False
        self.cut_budget = None  # bytes of this answer still to forward before cutting
        self.closed = False


class FaultProxy:
    def __init__(self, target_port, target_host="127.0.0.1", seed=1):
        self.target = (target_host, target_port)
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.freeze_after = None
        self.cut_probability = 0.0
        self.cut_after_bytes = 0
        self.cuts = 0  # connections cut by cut_responses
        self.conns = []
        self.sel = selectors.DefaultSelector()
        self.listener = None
        self.port = None
        self._listen()
        self.url = f"https://127.0.0.1:{self.port}"
        self.running = True
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    # --- commands (any thread) ------------------------------------------------------------

    def freeze(self, after=0):
        with self.lock:
            self.freeze_after = after
            for c in self.conns:
                if c.client_bursts >= after:
                    c.frozen = True

    def cut(self):
        with self.lock:
            for c in list(self.conns):
                self._close(c)

    def cut_responses(self, probability, after_bytes=0):
        with self.lock:
            self.cut_probability = probability
            self.cut_after_bytes = after_bytes

    def refuse(self):
        with self.lock:
            if self.listener is not None:
                self.sel.unregister(self.listener)
                self.listener.close()
                self.listener = None
            for c in list(self.conns):
                self._close(c)

    def restore(self):
        with self.lock:
            self.freeze_after = None
            self.cut_probability = 0.0
            if self.listener is None:
                self._listen()

    def close(self):
        self.running = False
        self.thread.join(timeout=5)
        with self.lock:
            for c in list(self.conns):
                self._close(c)
            if self.listener is not None:
                self.listener.close()

    # --- the loop ---------------------------------------------------------------------------

    def _listen(self):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port or 0))
        s.listen(64)
        s.setblocking(False)
        self.port = s.getsockname()[1]
        self.listener = s
        self.sel.register(s, selectors.EVENT_READ, None)

    def _close(self, c):
        if c.closed:
            return
        c.closed = True
        for s in (c.client, c.server):
            try:
                self.sel.unregister(s)
            except (KeyError, ValueError, OSError):
                pass
            try:
                s.close()
            except OSError:
                pass
        self.conns.remove(c)

    def _accept(self):
        try:
            client, _ = self.listener.accept()
        except OSError:
            return
        try:
            server = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            return
        client.setblocking(True)
        server.setblocking(True)
        c = _Conn(client, server)
        if self.freeze_after == 0:
            c.frozen = True
        self.conns.append(c)
        self.sel.register(client, selectors.EVENT_READ, (c, "c"))
        self.sel.register(server, selectors.EVENT_READ, (c, "s"))

    def _on_data(self, c, side):
        src = c.client if side == "c" else c.server
        dst = c.server if side == "c" else c.client
        try:
            data = src.recv(65536)
        except OSError:
            data = b""
        if not data:
            if c.frozen and side == "s":
                # A black hole: the client must not learn that the server went away.
                self.sel.unregister(c.server)
                c.server.close()
                return
            self._close(c)
            return
        if side == "c":
            if c.last != "c":
                c.client_bursts += 1
            if self.freeze_after is not None and c.client_bursts > self.freeze_after:
                c.frozen = True
        elif c.last != "s" and c.client_bursts >= 2 and self.cut_probability > 0 and \
                c.cut_budget is None and self.rng.random() < self.cut_probability:
            c.cut_budget = self.cut_after_bytes
        c.last = side
        if c.frozen:
            return  # read and dropped: the other side hears nothing more
        if side == "s" and c.cut_budget is not None:
            part = data[:c.cut_budget]
            try:
                if part:
                    dst.sendall(part)
            except OSError:
                pass
            c.cut_budget -= len(part)
            if c.cut_budget <= 0:
                self.cuts += 1
                self._close(c)
            return
        try:
            dst.sendall(data)
        except OSError:
            self._close(c)

    def _loop(self):
        while self.running:
            events = self.sel.select(timeout=0.05)
            with self.lock:
                for key, _ in events:
                    if key.data is None:
                        if self.listener is not None and key.fileobj is self.listener:
                            self._accept()
                        continue
                    c, side = key.data
                    if not c.closed:
                        self._on_data(c, side)
