// SPDX-License-Identifier: GPL-3.0-or-later
// Memory hog for the end-to-end OOM test: allocates and touches memory in steps until the kernel
// kills it. Plain C++ with no Qt, so its own footprint stays a few hundred KiB and the cgroup's
// charge is almost all the anonymous memory it touches.
//
// Usage: oomscope_e2e_hog [MiB per step] [max MiB] [ms pause after each step]
// (the pause lets a sampler watch usage climb; the OOM test itself runs without one)
// Exits with status 3 if it reaches max MiB without being killed (the limit did not hold).

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

int main(int argc, char **argv)
{
    const long stepMib = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 4;
    const long maxMib = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 1024;
    const long pauseMs = argc > 3 ? std::strtol(argv[3], nullptr, 10) : 0;
    if (stepMib <= 0 || maxMib <= 0 || pauseMs < 0) {
        std::fprintf(stderr, "usage: %s [MiB per step] [max MiB] [ms pause after each step]\n", argv[0]);
        return 2;
    }
    const std::size_t stepBytes = std::size_t(stepMib) * 1024 * 1024;
    std::vector<char *> blocks;
    for (long doneMib = 0; doneMib < maxMib; doneMib += stepMib) {
        auto *block = static_cast<char *>(std::malloc(stepBytes));
        if (!block)
            return 4;
        // Touch every page with a non-zero value so each one is really charged (and not a
        // shared zero page).
        std::memset(block, 0x5a, stepBytes);
        blocks.push_back(block);
        if (pauseMs > 0) {
            timespec pause {pauseMs / 1000, (pauseMs % 1000) * 1000000L};
            while (nanosleep(&pause, &pause) != 0) { }
        }
    }
    return 3;
}
