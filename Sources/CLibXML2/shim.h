#ifndef DOSSIERPORT_CLIBXML2_SHIM_H
#define DOSSIERPORT_CLIBXML2_SHIM_H
#include <libxml/xmlversion.h>
/* Debian builds libxml2 with ICU, so encoding.h would pull in the system <unicode/ucnv.h>, whose
   types clash with Foundation's bundled ICU in any module that imports both. Only the tail of
   xmlCharEncodingHandler depends on it, a struct Dossierport never touches. */
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlIO.h>

/// LIBXML_VERSION is a macro; expose it so Swift can guard on the library version it was built against.
static inline int CLibXML2_version(void) { return LIBXML_VERSION; }

/// xmlFree is a global function-pointer variable, which Swift 6 treats as shared mutable state.
static inline void CLibXML2_xmlFree(void *p) { xmlFree(p); }

/// A generic error handler that prints nothing. Swift cannot write the variadic function libxml2
/// wants. Some errors (an encoding conversion that fails, with the bytes it failed on) go only
/// through this handler, which by default prints to stderr; Dossierport reports the parse's
/// error itself and must not print input bytes anywhere.
static void CLibXML2_ignoreGenericError(void *ctx, const char *msg, ...) { (void)ctx; (void)msg; }

/// Silences the generic handler for this thread and for threads that use libxml2 later.
static inline void CLibXML2_silenceGenericErrors(void) {
    xmlThrDefSetGenericErrorFunc(NULL, CLibXML2_ignoreGenericError);
    xmlSetGenericErrorFunc(NULL, CLibXML2_ignoreGenericError);
}
#endif
