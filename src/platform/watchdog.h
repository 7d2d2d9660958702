/* systemd's service notification (sd_notify(3)) and watchdog, spoken by hand over
 * $NOTIFY_SOCKET: the kiosk says READY=1 once its main loop runs and WATCHDOG=1 from that loop,
 * so that systemd restarts a kiosk whose UI hangs. Without $NOTIFY_SOCKET (not started by
 * systemd) every call does nothing. */
#ifndef MINASIDOR_WATCHDOG_H
#define MINASIDOR_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>

/* Called from the main loop on every turn with the monotonic time, before it waits for input
 * for up to wait_ms: the first call sends READY=1, later calls send WATCHDOG=1 once half of
 * $WATCHDOG_USEC has passed since the last. Returns wait_ms, shortened so that the loop turns
 * again when the next ping is due. Failures are logged once and otherwise ignored: a kiosk
 * that cannot reach systemd keeps running (systemd then restarts it, which is right). */
int64_t watchdog_kick(int64_t now_ms, int64_t wait_ms);

/* Sends one notification (e.g. "STOPPING=1") as one datagram to $NOTIFY_SOCKET. False when
 * there is no socket or the send failed. */
bool watchdog_notify(const char *state);

/* The interval at which the watchdog wants WATCHDOG=1, in milliseconds (half of
 * $WATCHDOG_USEC), or 0 when no watchdog is set for this process: $WATCHDOG_PID names another
 * process than this one or its parent (the compositor that started the kiosk is the service's
 * main process under cage). */
int64_t watchdog_interval_ms(void);

/* Forgets what was read and sent, so that the next call reads the environment again (tests). */
void watchdog_reset(void);

#endif
