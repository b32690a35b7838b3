#ifndef DOSSIERPORT_CLINUX_SHIM_H
#define DOSSIERPORT_CLINUX_SHIM_H
#include <unistd.h>

/// Linux calls that glibc declares only under _GNU_SOURCE, which Swift's Glibc module is built
/// without. The declarations are glibc's own; libc is linked anyway.
extern int syncfs(int fd);
#endif
