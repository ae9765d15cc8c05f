// dist/dist.h — everything in dist/ (data parallelism over Open MPI): the
// runtime (init, rank, world_size, timeouts), deterministic collectives and
// DataParallel. Link gradlab::gradlab_dist; not part of <gradlab.h>, because
// dist/ is only built where Open MPI is installed.
#pragma once

#include "dist/collectives.h"
#include "dist/data_parallel.h"
#include "dist/runtime.h"
