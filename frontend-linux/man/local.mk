# SPDX-License-Identifier: GPL-2.0-or-later
#
# Man pages of the ism command and of libxenism.

dist_man_MANS += frontend-linux/man/ism.1 \
	frontend-linux/man/libxenism.3 \
	frontend-linux/man/ism_dev_open.3 \
	frontend-linux/man/ism_dev_close.3 \
	frontend-linux/man/ism_dev_info.3 \
	frontend-linux/man/ism_dev_fd.3 \
	frontend-linux/man/ism_dev_set_fast_path.3 \
	frontend-linux/man/ism_region_alloc.3 \
	frontend-linux/man/ism_region_attach.3 \
	frontend-linux/man/ism_region_map.3 \
	frontend-linux/man/ism_region_unmap.3 \
	frontend-linux/man/ism_region_set_perm.3 \
	frontend-linux/man/ism_region_info.3 \
	frontend-linux/man/ism_region_detach.3 \
	frontend-linux/man/ism_region_free.3 \
	frontend-linux/man/ism_region_notify.3 \
	frontend-linux/man/ism_region_want.3 \
	frontend-linux/man/ism_event_read.3 \
	frontend-linux/man/ism_event_wait.3 \
	frontend-linux/man/ism_name_publish.3 \
	frontend-linux/man/ism_name_unpublish.3 \
	frontend-linux/man/ism_name_lookup.3 \
	frontend-linux/man/xen-ismfront.4
