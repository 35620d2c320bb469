"""``thunderc.load``: a compiled model as a ``torch.nn.Module`` whose backward goes through torch.autograd."""

from __future__ import annotations

import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import torch
from torch.autograd.function import once_differentiable

from . import runtime, safetensors
from .runtime import ThunderError

Weights = Union[None, str, "os.PathLike[str]", Mapping[str, torch.Tensor]]


def _place(t: torch.Tensor) -> torch.Tensor:
    """What the ABI takes: a tensor outside autograd, compact row-major (a copy only when it is not)."""
    return t.detach().contiguous()


class CompiledModule(torch.nn.Module):
    """A thunderc-compiled model. Build it with :func:`thunderc.load`.

    ``forward(*inputs)`` runs the compiled forward (the inputs' dtypes and shapes as exported); it returns one
    tensor for a single output, else a tuple. With ``--backward``, gradients of the outputs flow through
    ``torch.autograd`` into floating inputs and, when the weights are bound from Python, into the
    ``nn.Parameter`` s (same names as the exported module's ``state_dict``), which ``torch.optim`` updates in
    place: the model reads them at every call, without a copy.

    The instance keeps one forward's saved values: call backward before the next forward of the same module
    (a backward of an older forward raises ThunderError). The exported program is fixed: ``train()``/``eval()``
    do not change what it computes, and ``.to()`` cannot move it to another device or dtype.
    """

    def __init__(self, library: runtime.Library, device: torch.device, weights: Weights):
        super().__init__()
        info = library.info
        self._thunder_info = info
        self._thunder_device = device
        self._thunder_generation = 0
        self._thunder_constants: List[torch.Tensor] = []
        self._thunder_params: List[Tuple[str, torch.nn.Parameter]] = []
        self._thunder_buffers: List[Tuple[str, torch.Tensor]] = []
        self._thunder_bound: List[int] = []  # data_ptr of each bound parameter
        self._thunder_buffer_versions: List[Tuple[int, int]] = []

        if weights is None and info.weights_external:
            weights = runtime.default_weights_path(library.path)
            if not os.path.isfile(weights):
                raise ThunderError(
                    f"{library.path} was compiled with --weights=external and {weights} does not exist: give "
                    f"weights= (a safetensors file or a state_dict)", runtime.ERR_FILE)
        device_id = device.index if device.type == "cuda" else None

        self._thunder_embedded = weights is None
        if weights is None:
            # Embedded weights: the instance owns them; the buffers are mirrored for state_dict().
            self._thunder_model = runtime.Model(library, device_id=device_id)
            for i, b in enumerate(info.buffers):
                value = torch.from_dlpack(self._thunder_model.get_buffer(i))
                self._register(b.name, value, parameter=False)
                self._thunder_buffer_versions.append(_version(value))
        else:
            tensors = _weights_by_key(weights, info)
            for p in info.params:
                value = _own(tensors[f"param.{p.name}"], device)
                trainable = info.has_backward and p.has_grad and value.is_floating_point()
                self._register(p.name, torch.nn.Parameter(value, requires_grad=trainable), parameter=True)
            for b in info.buffers:
                self._register(b.name, _own(tensors[f"buffer.{b.name}"], device), parameter=False)
            for c in info.constants:
                self._thunder_constants.append(_own(tensors[f"constant.{c.name}"], device))
            self._thunder_model = None
            self._bind(library, device_id)
        self._thunder_library = library

    # --- weights ---------------------------------------------------------------------------------------------

    def _register(self, fqn: str, value: torch.Tensor, parameter: bool) -> None:
        """Registers under the exported FQN ("h.0.attn.c_attn.weight"), with a submodule per dotted prefix."""
        owner: torch.nn.Module = self
        *path, leaf = fqn.split(".")
        for part in path:
            child = owner._modules.get(part)
            if child is None:
                child = torch.nn.Module()
                owner.add_module(part, child)
            owner = child
        if parameter:
            owner.register_parameter(leaf, value)
            self._thunder_params.append((fqn, value))
        else:
            owner.register_buffer(leaf, value)
            self._thunder_buffers.append((fqn, value))

    def _bind(self, library: runtime.Library, device_id: Optional[int]) -> None:
        """A new instance over the current parameter tensors (borrowed) and buffers (copied)."""
        params = [p.detach() for _, p in self._thunder_params]
        buffers = [self._buffer(i).detach().contiguous() for i in range(len(self._thunder_buffers))]
        for (name, _), p in zip(self._thunder_params, params):
            if not p.is_contiguous():
                raise ThunderError(f"parameter '{name}' is not contiguous; the model reads it in place",
                                   runtime.ERR_INVALID_ARGUMENT)
        self._thunder_model = runtime.Model(library, params=params, buffers=buffers,
                                            constants=self._thunder_constants, device_id=device_id)
        self._thunder_bound = [p.data_ptr() for p in params]
        self._thunder_buffer_versions = [_version(b) for b in buffers]

    def _buffer(self, i: int) -> torch.Tensor:
        # Looked up again: load_state_dict or a user may have replaced the tensor.
        fqn = self._thunder_buffers[i][0]
        return self.get_buffer(fqn)

    def _sync_weights(self) -> None:
        """Before a call: rebinds parameters whose storage moved, pushes buffers that Python changed."""
        if self._thunder_params:
            current = [self.get_parameter(fqn).data_ptr() for fqn, _ in self._thunder_params]
            if current != self._thunder_bound:
                self._thunder_params = [(fqn, self.get_parameter(fqn)) for fqn, _ in self._thunder_params]
                device = self._thunder_device
                self._bind(self._thunder_library, device.index if device.type == "cuda" else None)
                return
        for i, (fqn, _) in enumerate(self._thunder_buffers):
            b = self._buffer(i)
            if _version(b) != self._thunder_buffer_versions[i]:
                self._thunder_model.set_buffer(i, _place(b))
                self._thunder_buffer_versions[i] = _version(b)

    def _pull_buffers(self) -> None:
        """After a forward: the mutated buffers' new values into the module's buffers (in place)."""
        for i, b in enumerate(self._thunder_info.buffers):
            if b.mutated:
                mirror = self._buffer(i)
                with torch.no_grad():
                    mirror.copy_(torch.from_dlpack(self._thunder_model.get_buffer(i)))
                self._thunder_buffer_versions[i] = _version(mirror)

    # --- calls -----------------------------------------------------------------------------------------------

    def _stream(self) -> Optional[int]:
        if self._thunder_device.type != "cuda":
            return None
        return torch.cuda.current_stream(self._thunder_device).cuda_stream

    def _run_forward(self, inputs: Sequence[torch.Tensor]) -> List[torch.Tensor]:
        self._sync_weights()
        outs = self._thunder_model.forward(*[_place(x) for x in inputs], stream=self._stream())
        self._thunder_generation += 1
        self._pull_buffers()
        return [torch.from_dlpack(o) for o in outs]

    def _run_backward(self, generation: int, grads: Sequence[Optional[torch.Tensor]], want_params: bool,
                      want_inputs: bool) -> Tuple[List[Optional[torch.Tensor]], List[Optional[torch.Tensor]]]:
        if generation != self._thunder_generation:
            raise ThunderError(
                "backward of a forward that is no longer this module's latest: the compiled model keeps the "
                "saved values of its last forward only, so call backward before the next forward (or load one "
                "module per forward in flight)", runtime.ERR_STATE)
        cotangents = [None if g is None else _place(g) for g in grads]
        gp, gi = self._thunder_model.backward(cotangents, params=want_params, inputs=want_inputs,
                                              stream=self._stream())

        def convert(ts):
            return [None if t is None else torch.from_dlpack(t) for t in ts]

        return convert(gp), convert(gi)

    def forward(self, *inputs: torch.Tensor) -> Union[torch.Tensor, Tuple[torch.Tensor, ...]]:
        info = self._thunder_info
        if len(inputs) != len(info.inputs):
            raise TypeError(f"{info.name} takes {len(info.inputs)} inputs "
                            f"({', '.join(i.name for i in info.inputs)}), got {len(inputs)}")
        params = [p for _, p in self._thunder_params]
        differentiable = info.has_backward and torch.is_grad_enabled() and (
            any(p.requires_grad for p in params) or any(x.requires_grad for x in inputs))
        if differentiable:
            outs = _Call.apply(self, len(inputs), *inputs, *params)
        else:
            outs = self._run_forward(inputs)
            if info.has_backward:
                self._thunder_model.release_saved()  # no backward will come for this call
        return outs[0] if len(outs) == 1 else tuple(outs)

    def __deepcopy__(self, memo: Dict[int, Any]) -> "CompiledModule":
        """Another instance over copies of this one's weights and buffers (copy.deepcopy, EMA models)."""
        embedded = self._thunder_embedded
        weights: Weights = None
        if not embedded:
            weights = {f"param.{n}": p for n, p in self.named_parameters()}
            weights.update({f"buffer.{n}": b for n, b in self.named_buffers()})
            weights.update({f"constant.{c.name}": t
                            for c, t in zip(self._thunder_info.constants, self._thunder_constants)})
        clone = CompiledModule(self._thunder_library, self._thunder_device, weights)
        for name, p in clone.named_parameters():
            p.requires_grad_(self.get_parameter(name).requires_grad)
        if embedded:  # the clone starts from the embedded buffers: give it this module's
            with torch.no_grad():
                for name, b in clone.named_buffers():
                    b.copy_(self.get_buffer(name))
        clone.train(self.training)
        memo[id(self)] = clone
        return clone

    def extra_repr(self) -> str:
        info = self._thunder_info
        return (f"name={info.name!r}, target={info.target!r}, backward={info.has_backward}, "
                f"device={str(self._thunder_device)!r}, library={self._thunder_library.path!r}")



class _Call(torch.autograd.Function):
    """One forward of the compiled model as a node of the autograd graph; backward is the compiled backward."""

    @staticmethod
    def forward(ctx, module: CompiledModule, n_inputs: int, *tensors: torch.Tensor):
        outs = module._run_forward(tensors[:n_inputs])
        ctx.module = module
        ctx.generation = module._thunder_generation
        ctx.n_inputs = n_inputs
        ctx.set_materialize_grads(False)  # unused outputs get NULL cotangents (zeros in the runtime)
        non_diff = [o for o in outs if not o.is_floating_point()]
        if non_diff:
            ctx.mark_non_differentiable(*non_diff)
        return tuple(outs)

    @staticmethod
    @once_differentiable
    def backward(ctx, *grads: Optional[torch.Tensor]):
        n = ctx.n_inputs
        needs = ctx.needs_input_grad[2:]
        gp, gi = ctx.module._run_backward(ctx.generation, grads, want_params=any(needs[n:]),
                                          want_inputs=any(needs[:n]))
        gi = [g if need else None for g, need in zip(gi or [None] * n, needs[:n])]
        gp = [g if need else None for g, need in zip(gp or [None] * len(needs[n:]), needs[n:])]
        return (None, None, *gi, *gp)


def _version(t: torch.Tensor) -> Tuple[int, int]:
    """Changes when a tensor is written in place or replaced by another."""
    return (t.data_ptr(), t._version)


def _own(t: torch.Tensor, device: torch.device) -> torch.Tensor:
    """A compact copy on ``device`` that nothing else aliases (the model reads it in place)."""
    return t.detach().to(device=device, copy=True).contiguous()


def _weights_by_key(weights: Weights, info: runtime.ModelInfo) -> Dict[str, torch.Tensor]:
    """``param.<fqn>`` / ``buffer.<fqn>`` / ``constant.<name>`` -> tensor, from a file or a state_dict."""
    if isinstance(weights, (str, os.PathLike)):
        tensors = {k: v.torch() for k, v in safetensors.read(weights).items()}
        source = os.fspath(weights)
    elif isinstance(weights, Mapping):
        tensors = {}
        for key, value in weights.items():
            if key.startswith(("param.", "buffer.", "constant.")):
                tensors[key] = value
            else:  # a state_dict key: a parameter's or a buffer's FQN
                tensors[f"param.{key}"] = value
                tensors[f"buffer.{key}"] = value
        source = "the weights mapping"
    else:
        raise TypeError(f"weights must be a path or a mapping of tensors, not {type(weights).__name__}")
    for kind, declared in (("param", info.params), ("buffer", info.buffers), ("constant", info.constants)):
        for d in declared:
            key = f"{kind}.{d.name}"
            t = tensors.get(key)
            if t is None:
                raise ThunderError(f"{source} has no '{key}'", runtime.ERR_INVALID_ARGUMENT)
            expected = tuple(s for s in d.shape)
            if tuple(t.shape) != expected or str(t.dtype).replace("torch.", "") != d.dtype:
                raise ThunderError(f"{source}: '{key}' is {str(t.dtype).replace('torch.', '')} "
                                   f"{list(t.shape)}; the model declares {d.dtype} {list(expected)}",
                                   runtime.ERR_SHAPE)
    return tensors


def load(path: Union[str, "os.PathLike[str]"], device: Union[None, str, torch.device] = None,
         weights: Weights = None) -> CompiledModule:
    """Loads a compiled ``MODEL.so`` as a :class:`CompiledModule` (a ``torch.nn.Module``).

    Args:
        path: the .so that ``thunderc`` (or :func:`thunderc.compile`) wrote.
        device: where it runs; default ``"cpu"`` for a CPU-target model and the current CUDA device for a
            CUDA-target one (``"cuda:1"`` picks a GPU).
        weights: ``None`` (default): the embedded weights, or for a ``--weights=external`` model the
            ``MODEL.weights.safetensors`` file beside it; a path to such a file; or a mapping of tensors (the
            exported module's ``state_dict()``, or ``param.``/``buffer.``/``constant.`` keys). Weights from
            a file or a mapping become the module's ``nn.Parameter`` s and buffers, trainable with
            ``torch.optim``; embedded weights stay inside the model (frozen parameters, readable buffers).

    Raises:
        ThunderError: the library is not a thunderc model, or the runtime refused the weights (its message).
    """
    library = runtime.Library.open(path)
    target = library.info.target
    if device is None:
        device = torch.device("cuda", torch.cuda.current_device()) if target == "cuda" else torch.device("cpu")
    device = torch.device(device)
    expected = "cuda" if target == "cuda" else "cpu"
    if device.type != expected:
        raise ThunderError(f"{library.path} was compiled for --target={target}; it runs on {expected}, not "
                           f"{device}", runtime.ERR_DEVICE)
    if device.type == "cuda" and device.index is None:
        device = torch.device("cuda", torch.cuda.current_device())
    return CompiledModule(library, device, weights)
