/* Shared by the cmocka unit tests. */
#ifndef CAGETEST_TESTUTIL_H
#define CAGETEST_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#endif
