"""Upgrading an installed kiosk (issue 16): the packages of an older commit (the previous
release tag, or PACKAGING_OLD_COMMIT, or the commit below), built with this tree's recipe and a
lower version, installed with apt into a clean Debian 12 root; a technician provisions; the
case store goes away and a citizen's callback request waits in the outbox; the packages of this
tree are installed over the old ones; the case store comes back. The submission arrives exactly
once, the cache, the settings and the sealed key are what they were, the schema migrations run
on the first open and never again, and doctor is all ok.

    python3 test_upgrade.py SOURCE_ROOT
"""
import os
import re
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))
import appliance  # noqa: E402
from taptest import eq, finish, free_port, test  # noqa: E402

# main before the packaging existed (2026-12-02): the upgrade starts from there until a release
# is tagged.
DEFAULT_OLD = "5c7c063"

appliance.require_root()
repo = appliance.Repo(sys.argv[1])
facts = {}


def old_commit():
    if os.environ.get("PACKAGING_OLD_COMMIT"):
        return os.environ["PACKAGING_OLD_COMMIT"]
    tags = appliance.run(["git", "-C", repo.root, "tag", "--list", "v*", "--sort=-v:refname",
                          "--merged", "HEAD"], check=False).stdout.split()
    return tags[0] if tags else DEFAULT_OLD


def cache_counts(r):
    """Rows per table of the kiosk's cache, less those a delivery, a sync run or the kiosk's
    use (its anonymous usage counters) changes."""
    path = r.p("/var/lib/minasidor/cache.db")
    tables = [t for (t,) in appliance.sqlite_rows(
        path, "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
    keep = [t for t in tables if not re.search(r"outbox|audit|sync|set_aside|report|usage", t)]
    return {t: appliance.sqlite_rows(path, f'SELECT count(*) FROM "{t}"')[0][0] for t in keep}


def user_version(r):
    return appliance.sqlite_rows(r.p("/var/lib/minasidor/cache.db"), "PRAGMA user_version")[0][0]


def submissions(r, device):
    return appliance.sqlite_rows(r.p("/var/lib/casestore/casestore.db"),
                                 "SELECT uuid, status FROM submissions WHERE device_id=?", (device,))


@test
def packages_of_the_old_commit_and_of_this_tree_build():
    commit = old_commit()
    short = repo.git("rev-parse", "--short=7", commit + "^{commit}")
    old_meson = re.search(r"version:\s*'([^']+)'", repo.git("show", f"{commit}:meson.build")).group(1)
    old = repo.debs(commit=commit, version=f"{old_meson}~git.{short}")
    new = repo.debs()
    p = appliance.run(["dpkg", "--compare-versions", old[2], "lt", new[2]], check=False)
    assert p.returncode == 0, f"the old package's version {old[2]} is not below {new[2]}"
    print(f"# from {commit} ({old[2]}) to this tree ({new[2]})")
    facts.update(old=old, new=new)


def main():
    with appliance.Root(repo, "upgrade") as r:
        r.apt_install(facts["old"][0], facts["old"][1])
        r.sh("runuser -u casestore -- casestore seed --data /var/lib/casestore --citizens 300 --seed 7")
        pin = r.sh("runuser -u casestore -- casestore pin --data /var/lib/casestore").stdout.strip()
        server = appliance.Server(r, free_port(), "upgrade-old")
        tok = appliance.token(r)
        out = appliance.provision(r, server.url, pin, tok, typed=True)  # typed, this time
        assert "root key sealed" in out, out
        appliance.use_identity_provider(r, server.url, pin)
        r.sh("minasidor sync --once")
        conf = r.sh("sed -n 's/^id = //p' /var/lib/minasidor/minasidor.conf").stdout.split()
        device = conf[0]
        before = cache_counts(r)
        assert sum(before.values()) > 300, f"the first sync filled little: {before}"
        sealed = open(r.p("/etc/credstore.encrypted/minasidor-root-key"), "rb").read()
        settings = open(r.p("/var/lib/minasidor/minasidor.conf")).read()
        version_before = user_version(r)
        server.stop()  # the network is down

        @test
        def a_callback_request_waits_in_the_outbox_while_the_case_store_is_away():
            shutil.copy(os.path.join(HERE, "queue-callback.script"), r.p("/tmp/queue.script"))
            os.chmod(r.p("/tmp/queue.script"), 0o644)
            r.sh("install -d -o minasidor -g minasidor -m 0700 /tmp/shots")
            p = r.sh("SDL_AUDIODRIVER=dummy minasidor kiosk --headless --script /tmp/queue.script "
                     "--screenshots /tmp/shots", check=False)
            assert p.returncode == 0, f"kiosk: exit {p.returncode}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}"
            d = r.sh("minasidor doctor", check=False)
            assert re.search(r"^\w+\s+outbox\s+1 ", d.stdout, re.M), d.stdout
            eq([], submissions(r, device), "submissions at the case store before the upgrade")

        out = r.apt_install(facts["new"][0], facts["new"][1])

        @test
        def the_upgrade_keeps_the_key_the_settings_and_the_cache():
            assert f"Unpacking minasidor ({facts['new'][2]}) over ({facts['old'][2]})" in out, out[-3000:]
            status = r.sh("dpkg-query -W -f '${Version}' minasidor").stdout
            eq(facts["new"][2], status, "installed version")
            eq(sealed, open(r.p("/etc/credstore.encrypted/minasidor-root-key"), "rb").read(), "sealed key")
            eq(settings, open(r.p("/var/lib/minasidor/minasidor.conf")).read(), "settings")
            uid, gid = r.ids("minasidor")[:2]
            eq((0o700, uid, gid), r.stat("/var/lib/minasidor"), "state directory")
            eq((0o600, uid, gid), r.stat("/var/lib/minasidor/cache.db"), "cache")

        server = appliance.Server(r, server.port, "upgrade-new")  # the network is back
        try:
            @test
            def migrations_run_once_and_the_submission_arrives_once():
                first = r.sh("MINASIDOR_LOG_LEVEL=info minasidor sync --once", check=False)
                assert first.returncode == 0, f"sync: {first.stdout}\n{first.stderr}"
                migrated = re.findall(r"schema migrated to version (\d+)", first.stderr)
                after = user_version(r)
                print(f"# cache schema {version_before} -> {after}; migrations logged: {migrated or 'none'}")
                eq([str(v) for v in range(version_before + 1, after + 1)], migrated,
                   "each migration step logged once, by the first open")
                again = r.sh("MINASIDOR_LOG_LEVEL=info minasidor sync --once", check=False)
                assert again.returncode == 0, again.stderr
                assert "schema migrated" not in again.stderr, again.stderr
                eq(after, user_version(r), "schema after a second run")
                got = submissions(r, device)
                eq(1, len(got), f"submissions from {device}: {got}")
                eq(after, user_version(r), "schema")

            @test
            def after_the_upgrade_the_cache_is_intact_and_doctor_all_ok():
                eq(before, cache_counts(r), "rows per table of the cache")
                d = appliance.doctor_all_ok(r)
                assert re.search(r"^ok\s+outbox\s+empty", d.stdout, re.M), d.stdout
        finally:
            server.stop()


@test
def the_upgrade_ran_to_the_end():
    assert "new" in facts, "the packages did not build"
    main()


# The root is left for inspection when a test failed, removed otherwise.
finish(appliance.disposable(os.path.join(repo.cache, "roots", "upgrade")))
