/* The release every program reports with --version ("PROGRAM VERSION"); the Debian packages
 * (packaging/debian/changelog) carry the same number. */
#ifndef MXGUARD_VERSION_H
#define MXGUARD_VERSION_H

#define MXG_VERSION "0.1.0"

#endif
