#!/usr/bin/env python3
"""The fmnist-cnn of spikebit in plain PyTorch: the peer that bench/compare measures against.

Same network, neuron, surrogate, time steps, batch and optimizer as `spikebit bench train` /
`bench infer` (docs/engine.md, "Reference model fmnist-cnn"):

  stem:  Normalize(0.2860, 0.3530) -> Conv2d(1->32, k3, p1, no bias) -> BatchNorm2d(32), run once
         and repeated over T (direct encoding)
  body:  LIF -> MaxPool2d(2) -> Conv2d(32->64, k3, p1, no bias) -> BatchNorm2d(64) -> LIF
         -> MaxPool2d(2) -> Flatten -> Linear(3136->128) -> LIF -> Linear(128->10), on [T*B, ...]
  readout: mean over T of the last layer; cross-entropy; Adam lr 1e-3
  LIF:   H = tau V + X, S = H >= 1, V = H (1 - S) with the reset detached, tau 0.5,
         atan surrogate alpha 2: dS/dH = (alpha/2) / (1 + (pi/2 alpha (H - 1))^2)

Inputs: with --data DIR, real Fashion-MNIST (the IDX files train-images-idx3-ubyte.gz and
train-labels-idx1-ubyte.gz in DIR, pixels scaled to [0, 1]) in shuffled batches, a new batch every
step, as `spikebit bench ... --dataset fashion-mnist`; without it, one fixed random batch in [0, 1),
as spikebit's `--dataset synthetic`. Dense PyTorch costs the same on either; spikebit's event-driven
kernels do not (their work follows the spikes), so bench/compare gives both the same real data.
Prints one line per measurement, in the format bench/compare reads:

  peer train: 312.4 images/s (median of 5 runs; min ..., max ...), 6.21 CPU-ms per image, peak RSS 812 MiB

BLAS: Debian's torch does its GEMMs (and, without MKL-DNN's convolutions, the im2col convolutions)
in whatever libblas.so.3 the system's alternatives point at. With the reference BLAS (Debian's
libblas3, what a fresh machine has) the peer is several times slower than with OpenBLAS
(libopenblas0-pthread), so the header line names the library that was loaded and warns about the
reference one. torch calls the BLAS from inside its own parallel loops, one call per thread: OpenBLAS
threads on top of those oversubscribe the cores (inference 1,177 against 1,911 images/s on a 2-core
AVX-512 machine), so OPENBLAS_NUM_THREADS is 1 unless the caller set it.

Usage: /usr/bin/python3 bench/peers/pytorch_fmnist.py [--threads 2] [--T 4] [--batch 64]
       [--runs 5] [--steps 20] [--warmup 10] [--what train,infer] [--data DIR]
"""

import argparse
import gzip
import math
import os
import resource
import statistics
import sys
import time

# Before torch loads the BLAS, which reads it once (see "BLAS" above).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


class ATanSpike(torch.autograd.Function):
    """Heaviside forward, arctan surrogate backward (alpha 2), as spikebit's ATan."""

    alpha = 2.0

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (x >= 0).to(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        a = ATanSpike.alpha
        return grad * (a / 2) / (1 + (math.pi / 2 * a * x) ** 2)


class LIF(nn.Module):
    """Multi-step LIF over [T, B, ...]: hard reset to 0, reset detached."""

    def __init__(self, steps, tau=0.5, vth=1.0):
        super().__init__()
        self.steps, self.tau, self.vth = steps, tau, vth

    def forward(self, x):
        x = x.view(self.steps, -1, *x.shape[1:])
        v = torch.zeros_like(x[0])
        out = []
        for t in range(self.steps):
            h = self.tau * v + x[t]
            s = ATanSpike.apply(h - self.vth)
            v = h * (1 - s.detach())
            out.append(s)
        return torch.stack(out).flatten(0, 1)


class FmnistCnn(nn.Module):
    def __init__(self, steps):
        super().__init__()
        self.steps = steps
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(32)
        self.lif1 = LIF(steps)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(64)
        self.lif2 = LIF(steps)
        self.fc1 = nn.Linear(3136, 128)
        self.lif3 = LIF(steps)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, image):
        x = (image - 0.2860) / 0.3530
        x = self.bn1(self.conv1(x))  # the stem, once
        x = x.unsqueeze(0).expand(self.steps, *x.shape).flatten(0, 1)  # repeated over T: [T*B, ...]
        x = F.max_pool2d(self.lif1(x), 2)
        x = F.max_pool2d(self.lif2(self.bn2(self.conv2(x))), 2)
        x = self.lif3(self.fc1(x.flatten(1)))
        x = self.fc2(x)
        return x.view(self.steps, -1, 10).mean(0)


def read_idx(path, dims):
    """One IDX file (gzip): the magic number's last byte is the number of dimensions."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if len(data) < 4 + 4 * dims or data[2] != 8 or data[3] != dims:
        sys.exit(f"pytorch_fmnist.py: {path} is not an IDX file of unsigned bytes with {dims} dimensions")
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    body = data[4 + 4 * dims :]
    if len(body) != math.prod(shape):
        sys.exit(f"pytorch_fmnist.py: {path} holds {len(body)} bytes after its header, expected {math.prod(shape)}")
    return torch.frombuffer(bytearray(body), dtype=torch.uint8).view(*shape)


class FashionMnistBatches:
    """Shuffled training batches of real Fashion-MNIST, the last partial batch dropped."""

    def __init__(self, folder, batch):
        self.images = read_idx(os.path.join(folder, "train-images-idx3-ubyte.gz"), 3)
        self.labels = read_idx(os.path.join(folder, "train-labels-idx1-ubyte.gz"), 1).long()
        self.batch, self.order, self.at = batch, None, 0
        self.shuffle = torch.Generator().manual_seed(1)

    def next(self):
        if self.order is None or self.at + self.batch > len(self.order):
            self.order = torch.randperm(len(self.labels), generator=self.shuffle)
            self.at = 0
        picked = self.order[self.at : self.at + self.batch]
        self.at += self.batch
        return self.images[picked].unsqueeze(1).float().div_(255), self.labels[picked]


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def measure(label, step, batch, runs, steps, warmup):
    for _ in range(warmup):
        step()
    rates, cpu = [], []
    for r in range(runs):
        wall, proc = time.perf_counter(), time.process_time()
        for _ in range(steps):
            step()
        wall, proc = time.perf_counter() - wall, time.process_time() - proc
        rates.append(steps * batch / wall)
        cpu.append(proc * 1000 / (steps * batch))
        print(f"  {label} run {r + 1}: {rates[-1]:.0f} images/s, {cpu[-1]:.2f} CPU-ms per image", file=sys.stderr)
    print(
        f"peer {label}: {statistics.median(rates):.4g} images/s (median of {runs} runs of {steps} batches; "
        f"min {min(rates):.4g}, max {max(rates):.4g}), {statistics.median(cpu):.2f} CPU-ms per image, "
        f"peak RSS {peak_rss_mib()} MiB",
        flush=True,
    )


def blas_library():
    """The BLAS this process loaded, from /proc/self/maps, and whether it is the slow reference one."""
    torch.ones(64, 64) @ torch.ones(64, 64)  # makes sure the library is mapped
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "blas" in line.lower() or "mkl_" in line.lower()}
    except OSError:
        return "unknown BLAS", False
    # The BLAS symbols come from libblas.so.3 when it is mapped (liblapack.so.3 may be OpenBLAS's
    # while libblas.so.3 is still the reference one), so that file decides.
    blas = sorted(p for p in paths if os.path.basename(p).startswith("libblas.so")) or sorted(paths)
    for path in blas:
        name = path.lower()
        if "openblas" in name:
            threads = os.environ.get("OPENBLAS_NUM_THREADS")
            return f"OpenBLAS ({path}, OPENBLAS_NUM_THREADS={threads})", False
        if "mkl" in name:
            return f"MKL ({path})", False
        if "blis" in name:
            return f"BLIS ({path})", False
        if "libblas.so" in name:
            return f"reference BLAS ({path})", True
    return "BLAS inside torch", False


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--T", type=int, default=4)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--what", default="train,infer")
    p.add_argument("--data", help="folder with Fashion-MNIST's IDX files (default: one fixed random batch)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    blas, reference = blas_library()
    print(
        f"peer: PyTorch {torch.__version__}, {torch.get_num_threads()} threads, {blas}, "
        f"fmnist-cnn T={a.T} batch {a.batch}, "
        f"{'Fashion-MNIST from ' + a.data if a.data else 'one random batch'}",
        file=sys.stderr,
    )
    if reference:
        print(
            "peer: WARNING: torch runs on the reference BLAS, several times slower than an optimized "
            "one; a fair peer needs OpenBLAS (Debian: apt-get install libopenblas0-pthread)",
            file=sys.stderr,
        )
    net = FmnistCnn(a.T)
    if a.data:
        batches = FashionMnistBatches(a.data, a.batch)
        next_batch = batches.next
    else:
        fixed = (torch.rand(a.batch, 1, 28, 28), torch.randint(0, 10, (a.batch,)))
        next_batch = lambda: fixed
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)

    def train_step():
        x, labels = next_batch()
        loss = F.cross_entropy(net(x), labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    def infer_step():
        x, _ = next_batch()
        with torch.no_grad():
            net(x)

    for what in a.what.split(","):
        if what == "train":
            net.train()
            measure("train", train_step, a.batch, a.runs, a.steps, a.warmup)
        elif what == "infer":
            net.eval()
            measure("infer", infer_step, a.batch, a.runs, a.steps, a.warmup)
        else:
            sys.exit(f"pytorch_fmnist.py: --what takes train and/or infer, got {what!r}")


if __name__ == "__main__":
    main()
