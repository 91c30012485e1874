/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kevent.c - events over /dev/xen-ism: the file's records (struct
 * xen_ism_ioc_event), read a few at a time, become struct ism_event.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "kdev.h"

int ism__kevent_take(const struct xen_ism_ioc_event *ke, ism_region *r,
		     struct ism_event *ev_out)
{
	int32_t status = 0;

	if (ke->type == XEN_ISM_EVT_DEVICE_GONE) {
		memset(ev_out, 0, sizeof(*ev_out));
		ev_out->type = ISM_EVENT_DEVICE_CLOSED;
		ev_out->status = ke->status == -EPROTO ? -EPROTO : -ESHUTDOWN;
		return 0;
	}
	/* A handle reused after a detach: the record is the old region's. */
	if (!r || r->d.token != ke->token)
		return -ENOENT;
	switch (ke->type) {
	case ISM_EVT_REGION_UPDATED:
		break;
	case ISM_EVT_PEER_ATTACHED:
		r->peer_present = true;
		r->d.peer_devid = ke->peer_devid;
		r->d.peer_domid = ke->peer_domid;
		break;
	case ISM_EVT_PEER_DETACHED:
	case ISM_EVT_PEER_GONE:
		r->peer_present = false;
		break;
	case ISM_EVT_REGION_RELEASED:
		r->peer_present = false;
		r->d.state = ISM_RSTATE_RELEASED;
		status = ke->status;
		break;
	default:
		return -ENOENT; /* the kernel's own business (fast path) */
	}
	memset(ev_out, 0, sizeof(*ev_out));
	ev_out->type = ke->type;
	ev_out->region = r;
	ev_out->token = r->d.token;
	ev_out->peer_devid = r->d.peer_devid;
	ev_out->peer_domid = r->d.peer_domid;
	ev_out->status = status;
	return 0;
}

void ism__kevent_forget(struct ism_kdev *kd, const struct ism_kregion *kr)
{
	unsigned int i, kept = kd->ev_pos;

	for (i = kd->ev_pos; i < kd->ev_len; i++)
		if (kd->evbuf[i].type == XEN_ISM_EVT_DEVICE_GONE ||
		    kd->evbuf[i].handle != kr->handle)
			kd->evbuf[kept++] = kd->evbuf[i];
	kd->ev_len = kept;
}

/* The backend closed the device: every region is released. */
static void kdev_dead(struct ism_kdev *kd, int status)
{
	unsigned int i;

	kd->dev.dead = status;
	for (i = 0; i < kd->nregions; i++) {
		kd->regions[i]->r.d.state = ISM_RSTATE_RELEASED;
		kd->regions[i]->r.peer_present = false;
		kd->regions[i]->fast_path = false;
	}
}

/* How kevent_next() reads: the file blocks (kdev.c opens it so). */
enum kevent_how {
	KEVENT_POLL, /* only once poll() says a record is queued */
	KEVENT_READY, /* poll() said so: read at once, then as KEVENT_POLL */
	KEVENT_BLOCK, /* one read() is the whole wait, as on /dev/xen/evtchn */
};

/* Refill the record buffer: 0, -EAGAIN (none), -errno. */
static int kevent_fill(struct ism_kdev *kd, bool block)
{
	struct pollfd pfd = { .fd = kd->fd, .events = POLLIN };
	ssize_t n;
	int rc;

	if (!block) {
		do
			rc = poll(&pfd, 1, 0);
		while (rc < 0 && errno == EINTR);
		if (rc < 0)
			return -errno;
		if (!rc)
			return -EAGAIN;
	}
	do
		n = read(kd->fd, kd->evbuf, sizeof(kd->evbuf));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (!n || n % sizeof(kd->evbuf[0]))
		return -EPROTO;
	kd->ev_pos = 0;
	kd->ev_len = (unsigned int)(n / sizeof(kd->evbuf[0]));
	return 0;
}

/* The next event, read @how (never blocking once the device died). */
static int kevent_next(ism_dev *dev, enum kevent_how how,
		       struct ism_event *ev_out)
{
	struct ism_kdev *kd = ism__kdev(dev);
	const struct xen_ism_ioc_event *ke;
	struct ism_kregion *kr;
	int rc;

	for (;;) {
		if (kd->ev_pos == kd->ev_len) {
			rc = kevent_fill(kd, how != KEVENT_POLL && !dev->dead);
			if (how == KEVENT_READY)
				how = KEVENT_POLL;
			if (rc == -EAGAIN && dev->dead)
				rc = dev->dead;
			if (rc)
				return rc;
		}
		ke = &kd->evbuf[kd->ev_pos++];
		kr = ke->handle ? ism__kregion_find(kd, ke->handle) : NULL;
		if (ism__kevent_take(ke, kr ? &kr->r : NULL, ev_out))
			continue;
		if (ev_out->type != ISM_EVENT_DEVICE_CLOSED)
			return 0;
		/* Told once, as the userspace path does. */
		if (dev->dead_reported)
			continue;
		dev->dead_reported = true;
		kdev_dead(kd, ev_out->status);
		return 0;
	}
}

int ism__kevent_read(ism_dev *dev, struct ism_event *ev_out)
{
	return kevent_next(dev, KEVENT_POLL, ev_out);
}

/*
 * Without a deadline, a blocking read; with one, poll() for the time
 * left, then the read, so a wait costs what it costs on the raw event
 * channel device (two calls, or one).
 */
int ism__kevent_wait(ism_dev *dev, int timeout_ms, struct ism_event *ev_out)
{
	struct pollfd pfd = { .fd = ism__kdev(dev)->fd, .events = POLLIN };
	enum kevent_how how = KEVENT_POLL;
	uint64_t deadline, now;
	int rc, rem;

	if (timeout_ms < 0)
		return kevent_next(dev, KEVENT_BLOCK, ev_out);
	deadline = ism__kdev_now_ms() + (uint64_t)timeout_ms;
	for (;;) {
		rc = kevent_next(dev, how, ev_out);
		if (rc != -EAGAIN)
			return rc;
		now = ism__kdev_now_ms();
		if (now >= deadline)
			return -ETIMEDOUT;
		rem = deadline - now > 86400000u ? 86400000 :
						   (int)(deadline - now);
		rc = poll(&pfd, 1, rem);
		if (rc < 0 && errno != EINTR)
			return -errno;
		how = rc > 0 ? KEVENT_READY : KEVENT_POLL;
	}
}
