# Writes safetensors files from POSIX sh: an 8-byte little-endian header length, the JSON header (dtype, shape,
# data_offsets of every tensor), then the tensor bytes. The bytes are zeros: day0 reads headers, never tensor data.
# Source this file, then: st_write FILE NAME:DTYPE:SHAPE ...   (SHAPE is 64x128, or "scalar" for shape [])

st_bytes_per_element() {
  case "$1" in
    F64|I64|U64) echo 8 ;;
    F32|I32|U32) echo 4 ;;
    BF16|F16|I16|U16) echo 2 ;;
    F8_E4M3|F8_E5M2|U8|I8|BOOL) echo 1 ;;
    *) echo "st_write: unknown dtype $1" >&2; return 1 ;;
  esac
}

# The 8 bytes of a little-endian unsigned 64-bit integer.
st_le64() {
  st_n=$1
  st_i=0
  while [ "$st_i" -lt 8 ]; do
    # shellcheck disable=SC2059
    printf "\\$(printf '%03o' $((st_n % 256)))"
    st_n=$((st_n / 256))
    st_i=$((st_i + 1))
  done
}

st_write() {
  st_out=$1
  shift
  st_header='{"__metadata__":{"format":"pt"}'
  st_offset=0
  for st_spec in "$@"; do
    st_name=${st_spec%%:*}
    st_rest=${st_spec#*:}
    st_dtype=${st_rest%%:*}
    st_shape=${st_rest#*:}
    st_count=1
    st_dims=
    if [ "$st_shape" != scalar ]; then
      st_old_ifs=$IFS
      IFS=x
      for st_d in $st_shape; do
        st_count=$((st_count * st_d))
        st_dims="$st_dims${st_dims:+,}$st_d"
      done
      IFS=$st_old_ifs
    fi
    st_size=$(st_bytes_per_element "$st_dtype") || return 1
    st_end=$((st_offset + st_count * st_size))
    st_header="$st_header,\"$st_name\":{\"dtype\":\"$st_dtype\",\"shape\":[$st_dims],\"data_offsets\":[$st_offset,$st_end]}"
    st_offset=$st_end
  done
  st_header="$st_header}"
  # Pad the header with spaces to a multiple of 8 bytes, as the reference writer does, so tensor data is aligned.
  while [ $(( ${#st_header} % 8 )) -ne 0 ]; do
    st_header="$st_header "
  done
  {
    st_le64 ${#st_header}
    printf '%s' "$st_header"
    if [ "$st_offset" -gt 0 ]; then
      dd if=/dev/zero bs="$st_offset" count=1 2>/dev/null
    fi
  } > "$st_out"
}
