#ifndef DOSSIERPORT_CLIBXML2_SHIM_H
#define DOSSIERPORT_CLIBXML2_SHIM_H
#include <libxml/xmlversion.h>
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
#endif
