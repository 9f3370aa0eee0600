// SPDX-License-Identifier: GPL-3.0-or-later
#include "consolestreams.h"

#include <cstdio>

namespace oomscope {

QTextStream &consoleOut()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream &consoleErr()
{
    static QTextStream stream(stderr);
    return stream;
}

} // namespace oomscope
