// ivf_test_support.hpp: what the IVFFlat tests share: the element kinds
// with the metrics each is scored with.
#pragma once

#include "vector_core.h"

namespace ivf_test
{

struct KindAndMetric
{
	vc_element_kind kind;
	vc_metric	metric;
};

// Every pair vc_nearest_centers accepts.
inline constexpr KindAndMetric every_kind_and_metric[] = {
	{VC_ELEMENT_F32, VC_METRIC_L2_SQUARED},
	{VC_ELEMENT_F32, VC_METRIC_NEGATIVE_INNER_PRODUCT},
	{VC_ELEMENT_F32, VC_METRIC_COSINE},
	{VC_ELEMENT_F32, VC_METRIC_L1},
	{VC_ELEMENT_F16, VC_METRIC_L2_SQUARED},
	{VC_ELEMENT_F16, VC_METRIC_NEGATIVE_INNER_PRODUCT},
	{VC_ELEMENT_F16, VC_METRIC_COSINE},
	{VC_ELEMENT_F16, VC_METRIC_L1},
	{VC_ELEMENT_BITS, VC_METRIC_HAMMING},
	{VC_ELEMENT_BITS, VC_METRIC_JACCARD},
};

// Those k-means clusters with (the IVFFlat operator classes).
inline bool
is_clustered(const KindAndMetric &pair)
{
	return (pair.kind == VC_ELEMENT_F32 && pair.metric != VC_METRIC_L1) ||
		(pair.kind == VC_ELEMENT_BITS && pair.metric == VC_METRIC_HAMMING);
}

}							// namespace ivf_test
