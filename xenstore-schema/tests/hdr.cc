/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ismif.h must compile standalone as C++: built as C++98 (size checks off)
 * and C++11 (size checks on).
 */
#include "ismif.h"

#include <cstdio>

int main()
{
	struct ism_rsp rsp;
	bool ok = sizeof(rsp) == 64 && sizeof(struct ism_event_page) == 4096;

	std::printf("1..1\n");
	std::printf("%s 1 - ismif.h compiles standalone as C++ %ld\n",
		    ok ? "ok" : "not ok", (long)__cplusplus);
	return ok ? 0 : 1;
}
