# HAAS_REQUIRE(VARIABLE-PREFIX, PKG-MODULES, DEBIAN-PACKAGE)
# Like PKG_CHECK_MODULES, but a missing library stops configure with the
# name of the Debian package that provides it.
AC_DEFUN([HAAS_REQUIRE], [
	PKG_CHECK_MODULES([$1], [$2], [],
		[AC_MSG_ERROR([$2 not found: install the Debian package $3 (apt-get install $3)])])
])
