# Drives a --mesh model through the C ABI (ctypes) without a communicator.
import ctypes
import sys

lib = ctypes.CDLL(sys.argv[1])
lib.thunder_last_error.restype = ctypes.c_char_p
lib.thunder_mesh_size.restype = ctypes.c_int64
model = ctypes.c_void_p()
assert lib.thunder_model_create(ctypes.byref(model)) == 0
print("mesh_size", lib.thunder_mesh_size(model),
      "input_sharded_dim", lib.thunder_input_sharded_dim(model, ctypes.c_size_t(0)),
      "output_sharded_dim", lib.thunder_output_sharded_dim(model, ctypes.c_size_t(0)))
outputs = (ctypes.c_void_p * 1)()
status = lib.thunder_forward(model, None, ctypes.c_size_t(1), outputs, ctypes.c_size_t(1), None)
print("forward", status, lib.thunder_last_error(model).decode())
lib.thunder_model_destroy(model)
