/* The release every program reports with --version ("PROGRAM VERSION"). */
#ifndef MXGUARD_VERSION_H
#define MXGUARD_VERSION_H

#define MXG_VERSION "0.9.0"

#endif
