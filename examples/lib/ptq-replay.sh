#!/bin/sh
# The PTQ stage of the examples. It does not quantize anything: it writes a tiny synthetic Llama-style checkpoint
# pair (a BF16 source and its exported output) in real safetensors format, with the quantization config of a real
# export copied from CHECKPOINT_DIR/quantized/. day0 then inspects the pair exactly as it would a real export.
#
# usage: ptq-replay.sh FORMAT CHECKPOINT_DIR
#   FORMAT          fp8 (compressed-tensors float-quantized: F8_E4M3 weights, per-tensor weight_scale and
#                   input_scale), nvfp4 (ModelOpt: packed U8 weights, F8_E4M3 block scales, weight_scale_2,
#                   input_scale; modules the config excludes stay BF16), nvfp4-linear (the same, every linear
#                   layer quantized: for a config that excludes only the embeddings and lm_head) or unquantized
#                   (every weight left BF16)
#   CHECKPOINT_DIR  holds config.json and generation_config.json of the source, and quantized/ with the files the
#                   exporter writes next to the weights (config.json, hf_quant_config.json)
set -eu

format=$1
checkpoint=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/safetensors.sh"

echo "$DAY0_STAGE $DAY0_RUN" >> "$DAY0_WORKDIR/stage-runs.log"
source_dir="$DAY0_STAGE_DIR/source"
output_dir="$DAY0_STAGE_DIR/output"
mkdir -p "$source_dir" "$output_dir"
cp "$checkpoint/config.json" "$checkpoint/generation_config.json" "$source_dir/"
cp "$checkpoint/generation_config.json" "$output_dir/"
cp "$checkpoint"/quantized/*.json "$output_dir/"

# A 2-layer toy: hidden 64, intermediate 128, 4 heads of 16 with 2 KV heads, vocabulary 256.
hidden=64
inter=128
kv=32
vocab=256
linears() {
  # name rows columns
  echo "self_attn.q_proj $hidden $hidden"
  echo "self_attn.k_proj $kv $hidden"
  echo "self_attn.v_proj $kv $hidden"
  echo "self_attn.o_proj $hidden $hidden"
  echo "mlp.gate_proj $inter $hidden"
  echo "mlp.up_proj $inter $hidden"
  echo "mlp.down_proj $hidden $inter"
}

# NVFP4 modules the shipped hf_quant_config.json excludes (ModelOpt wildcards *.self_attn.* and *.mlp.gate*).
nvfp4_excluded() {
  case "$1" in
    self_attn.*|mlp.gate*) return 0 ;;
    *) return 1 ;;
  esac
}

source_specs="model.embed_tokens.weight:BF16:${vocab}x${hidden} model.norm.weight:BF16:${hidden} lm_head.weight:BF16:${vocab}x${hidden}"
output_specs=$source_specs
for layer in 0 1; do
  prefix="model.layers.$layer"
  for norm in input_layernorm post_attention_layernorm; do
    source_specs="$source_specs $prefix.$norm.weight:BF16:$hidden"
    output_specs="$output_specs $prefix.$norm.weight:BF16:$hidden"
  done
  tmp=$(linears)
  old_ifs=$IFS
  IFS='
'
  for line in $tmp; do
    IFS=$old_ifs
    set -- $line
    name="$prefix.$1"
    rows=$2
    cols=$3
    source_specs="$source_specs $name.weight:BF16:${rows}x${cols}"
    case "$format" in
      fp8)
        output_specs="$output_specs $name.weight:F8_E4M3:${rows}x${cols} $name.weight_scale:F32:1 $name.input_scale:F32:1"
        ;;
      nvfp4|nvfp4-linear)
        if [ "$format" = nvfp4 ] && nvfp4_excluded "$1"; then
          output_specs="$output_specs $name.weight:BF16:${rows}x${cols}"
        else
          output_specs="$output_specs $name.weight:U8:${rows}x$((cols / 2)) $name.weight_scale:F8_E4M3:${rows}x$((cols / 16)) $name.weight_scale_2:F32:scalar $name.input_scale:F32:scalar"
        fi
        ;;
      unquantized)
        output_specs="$output_specs $name.weight:BF16:${rows}x${cols}"
        ;;
      *)
        echo "ptq-replay.sh: unknown format $format (fp8, nvfp4, nvfp4-linear, unquantized)" >&2
        exit 2
        ;;
    esac
    IFS='
'
  done
  IFS=$old_ifs
done

# shellcheck disable=SC2086
st_write "$source_dir/model.safetensors" $source_specs
# shellcheck disable=SC2086
st_write "$output_dir/model.safetensors" $output_specs
echo "wrote the source checkpoint $source_dir ($(wc -c < "$source_dir/model.safetensors") bytes of weights)"
echo "wrote the $format export $output_dir ($(wc -c < "$output_dir/model.safetensors") bytes of weights)"
