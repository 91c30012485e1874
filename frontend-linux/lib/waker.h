/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * waker.h - the xenstore watcher thread of platform-linux.c (see waker.c).
 */
#ifndef ISM_FE_WAKER_H
#define ISM_FE_WAKER_H

#include <stdbool.h>
#include <stdint.h>

#include <xenevtchn.h>

struct ism_waker;

/*
 * Bind a loopback channel of domain @self on @ce and start the thread
 * watching @xs_fd; 0 or -errno (nothing is left bound then).
 */
int ism__waker_start(xenevtchn_handle *ce, uint16_t self, int xs_fd,
		     struct ism_waker **w_out);
/* The port a read of @ce returns when a watch fired. */
uint32_t ism__waker_port(const struct ism_waker *w);
/* The watches are taken: signal the next one. */
void ism__waker_rearm(struct ism_waker *w);
/* End the thread and unbind the channel (NULL: nothing). */
void ism__waker_stop(struct ism_waker *w);

#endif /* ISM_FE_WAKER_H */
