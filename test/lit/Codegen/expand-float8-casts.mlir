// RUN: thunder-opt %s --thunder-expand-float8-casts | FileCheck %s
// RUN: thunder-opt %s --thunder-expand-float8-casts --convert-math-to-llvm --convert-arith-to-llvm --reconcile-unrealized-casts | FileCheck %s --check-prefix=LLVM

// 8-bit float casts become integer arithmetic on the f32 bits (LLVM has no
// 8-bit floats); other widths go through f32.
// CHECK-LABEL: func.func @to_e4m3fn
// CHECK-NOT: arith.truncf %{{.*}} : f32 to f8E4M3FN
// CHECK: math.roundeven
// CHECK: arith.trunci %{{.*}} : i32 to i8
// CHECK: arith.bitcast %{{.*}} : i8 to f8E4M3FN
// LLVM-LABEL: func.func @to_e4m3fn
// LLVM-NOT: arith.
// LLVM: llvm.trunc %{{.*}} : i32 to i8
func.func @to_e4m3fn(%x: f32) -> f8E4M3FN {
  %y = arith.truncf %x : f32 to f8E4M3FN
  return %y : f8E4M3FN
}

// CHECK-LABEL: func.func @from_e5m2_to_f16
// CHECK: arith.bitcast %{{.*}} : f8E5M2 to i8
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: arith.bitcast %{{.*}} : i32 to f32
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @from_e5m2_to_f16(%x: f8E5M2) -> f16 {
  %y = arith.extf %x : f8E5M2 to f16
  return %y : f16
}

// FNUZ types (NaN is 0x80) take the same path.
// CHECK-LABEL: func.func @fnuz_round_trip
// CHECK-NOT: arith.extf %{{.*}} : f8E4M3FNUZ
// CHECK-NOT: arith.truncf %{{.*}} to f8E5M2FNUZ
func.func @fnuz_round_trip(%x: f8E4M3FNUZ) -> f8E5M2FNUZ {
  %f = arith.extf %x : f8E4M3FNUZ to f32
  %y = arith.truncf %f : f32 to f8E5M2FNUZ
  return %y : f8E5M2FNUZ
}

// Not an 8-bit float of this pass: untouched.
// CHECK-LABEL: func.func @f16_untouched
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @f16_untouched(%x: f32) -> f16 {
  %y = arith.truncf %x : f32 to f16
  return %y : f16
}
