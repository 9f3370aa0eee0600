// SPDX-License-Identifier: GPL-3.0-or-later
// Hog for the live anatomy test: fills a memfd (shmem, as tmpfs) with SHMEM MiB, keeps it open,
// then allocates and touches anonymous memory in 4 MiB steps until the kernel kills it. No Qt.
//
// Usage: oomscope_shmem_hog SHMEM_MIB [max anon MiB]; exits 3 if not killed by max anon MiB.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

int main(int argc, char **argv)
{
    const long shmemMib = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 0;
    const long maxMib = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 512;
    if (shmemMib <= 0 || maxMib <= 0) {
        std::fprintf(stderr, "usage: %s SHMEM_MIB [max anon MiB]\n", argv[0]);
        return 2;
    }
    const int fd = memfd_create("oomscope-shmem", 0);
    if (fd < 0)
        return 4;
    std::vector<char> chunk(1024 * 1024, 0x5a);
    for (long i = 0; i < shmemMib; ++i) {
        if (write(fd, chunk.data(), chunk.size()) != ssize_t(chunk.size()))
            return 5;
    }
    const std::size_t step = 4 * 1024 * 1024;
    std::vector<char *> blocks;
    for (long done = 0; done < maxMib; done += 4) {
        auto *block = static_cast<char *>(std::malloc(step));
        if (!block)
            return 4;
        std::memset(block, 0x5a, step);
        blocks.push_back(block);
    }
    return 3;
}
