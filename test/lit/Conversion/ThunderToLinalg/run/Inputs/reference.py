# Loop implementations of convolution, pooling and attention (PyTorch semantics)
# that the execution tests take their expected values from.
import math, itertools
def nd(shape, f):
    if not shape: return f(())
    return [nd(shape[1:], lambda rest, i=i: f((i,)+rest)) for i in range(shape[0])]
def get(t, idx):
    for i in idx: t = t[i]
    return t
def shape_of(t):
    s=[]
    while isinstance(t, list): s.append(len(t)); t=t[0]
    return s
def conv(x, w, stride, lo, hi, dil, lhs, groups):
    N,C,*S = shape_of(x); O,Cg,*K = shape_of(w)
    k=len(S)
    # dilate + pad: function giving value at padded coordinate
    D=[(S[i]-1)*lhs[i]+1 for i in range(k)]
    P=[D[i]+lo[i]+hi[i] for i in range(k)]
    def xv(n,c,pos):
        src=[]
        for i in range(k):
            p=pos[i]-lo[i]
            if p<0 or p>=D[i] or p%lhs[i]: return 0.0
            src.append(p//lhs[i])
        return get(x,(n,c)+tuple(src))
    OS=[(P[i]-dil[i]*(K[i]-1)-1)//stride[i]+1 for i in range(k)]
    Og=O//groups
    def f(idx):
        n,o,*os_=idx; g=o//Og; acc=0.0
        for c in range(Cg):
            for kk in itertools.product(*[range(K[i]) for i in range(k)]):
                pos=[os_[i]*stride[i]+kk[i]*dil[i] for i in range(k)]
                acc+=xv(n,g*Cg+c,pos)*get(w,(o,c)+tuple(kk))
        return acc
    return nd([N,O]+OS, f)
def flat(t):
    if isinstance(t,list): return [y for e in t for y in flat(e)]
    return [t]
def fmt(v):
    if v!=v: return '{{-?}}nan'
    s='%g'%v
    return s
def mlir_dense(t):
    if isinstance(t,list): return '['+', '.join(mlir_dense(e) for e in t)+']'
    return repr(float(t))
def pool(x, kernel, stride, lo, hi, dil, kind, clo=None, chi=None, override=None):
    sh=shape_of(x); k=len(kernel); lead=sh[:-k]; S=sh[-k:]
    OS=[(S[i]+lo[i]+hi[i]-dil[i]*(kernel[i]-1)-1)//stride[i]+1 for i in range(k)]
    def f(idx):
        l=idx[:len(lead)]; o=idx[len(lead):]
        vals=[]
        for kk in itertools.product(*[range(kernel[i]) for i in range(k)]):
            pos=[o[i]*stride[i]+kk[i]*dil[i]-lo[i] for i in range(k)]
            if all(0<=pos[i]<S[i] for i in range(k)): vals.append(get(x,tuple(l)+tuple(pos)))
            elif kind=='avg': vals.append(0.0)
        if kind=='max':
            m=-math.inf
            for v in vals:
                if v>m or v!=v: m=v
                if m!=m: break
            return m
        s=sum(vals)
        if override: return s/override
        cnt=1
        for i in range(k):
            st=o[i]*stride[i]-lo[i]; en=st+kernel[i]
            cnt*=min(en,S[i]+chi[i])-max(st,-clo[i])
        return s/cnt
    return nd(list(lead)+OS,f)
def maxpool_bwd(g, x, kernel, stride, lo, hi, dil):
    sh=shape_of(x); k=len(kernel); lead=sh[:-k]; S=sh[-k:]
    gs=shape_of(g); OS=gs[-k:]
    out=nd(sh, lambda i: 0.0)
    for l in itertools.product(*[range(e) for e in lead]):
        for o in itertools.product(*[range(e) for e in OS]):
            best=None; bv=None
            for kk in itertools.product(*[range(kernel[i]) for i in range(k)]):
                pos=[o[i]*stride[i]+kk[i]*dil[i]-lo[i] for i in range(k)]
                if not all(0<=pos[i]<S[i] for i in range(k)): continue
                v=get(x,tuple(l)+tuple(pos))
                if best is None or v>bv or (v!=v and bv==bv): best=pos; bv=v
            t=out
            for i in list(l)+best[:-1]: t=t[i]
            t[best[-1]]+=get(g,tuple(l)+o)
    return out
def softmax(row):
    m=max(row)
    if m==-math.inf: return [0.0]*len(row)
    e=[math.exp(v-m) for v in row]; s=sum(e); return [v/s for v in e]
def attention(q,k,v,scale,mask=None,causal=False):
    # 2-D only: q [L,E], k [S,E], v [S,Ev]
    L=len(q); S=len(k)
    out=[]
    for i in range(L):
        sc=[sum(q[i][e]*k[j][e] for e in range(len(q[0])))*scale for j in range(S)]
        for j in range(S):
            if mask is not None:
                if isinstance(mask[i][j], bool):
                    if not mask[i][j]: sc[j]=-math.inf
                else: sc[j]+=mask[i][j]
            if causal and j>i: sc[j]=-math.inf
        p=softmax(sc)
        out.append([sum(p[j]*v[j][e] for j in range(S)) for e in range(len(v[0]))])
    return out
