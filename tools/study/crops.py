"""One-off crop analysis of session 4 (docs/experiments/crops.md): per image, the highest-scoring detection of a
`predict --format csv` run against the dataset's own crop. Needs Pillow; FRAFER_DATA points at the shared data."""
import csv, collections, statistics as st, os, sys, json
from PIL import Image
CL=["Anger","Contempt","Disgust","Fear","Happiness","Neutral","Sadness","Surprise"]
SFEW={"Angry":"Anger","Disgust":"Disgust","Fear":"Fear","Happy":"Happiness","Neutral":"Neutral","Sad":"Sadness","Surprise":"Surprise"}
FERV=["Neutral","Happiness","Surprise","Sadness","Anger","Disgust","Fear","Contempt"]
def ferplus_labels(d):
    out={}
    for r in csv.reader(open(d+'/label.csv')):
        v=[int(x) for x in r[2:]]; v=[0 if x==1 else x for x in v]; t=sum(v)
        if t==0: continue
        top=max(range(10),key=lambda i:v[i])
        if v[top]*2<=t or top>=8: continue
        out[os.path.join(d,r[0].strip())]=FERV[top]
    return out
def label_of(f, kind, fer):
    if kind=='ferplus': return fer.get(f)
    c=f.split('/')[-2]
    return SFEW.get(c,c)
def analyse(path, kind, linkdir=None):
    fer=ferplus_labels(os.path.join(os.environ['FRAFER_DATA'], 'ferplus/FER2013Test')) if kind=='ferplus' else {}
    rows=list(csv.DictReader(open(path)))
    by=collections.defaultdict(list); files=set()
    for r in rows:
        files.add(r['file'])
        if r['status']=='ok': by[r['file']].append(r)
    files=[f for f in files if label_of(f,kind,fer) is not None]
    n=len(files); det=[f for f in files if f in by]
    correct=0; rw=[];rh=[];cx=[];cy=[]; per=collections.Counter(); perok=collections.Counter(); multi=0
    for f in det:
        b=max(by[f],key=lambda r:float(r['face_score']))
        multi+= len(by[f])>1
        y=label_of(f,kind,fer); per[y]+=1
        # 7-class comparison as evaluate's 8-class argmax: the label column
        if b['label']==y: correct+=1; perok[y]+=1
        im=Image.open(f); W,H=im.size
        x,yy,w,h=map(float,(b['x'],b['y'],b['width'],b['height']))
        rw.append(w/W); rh.append(h/H); cx.append((x+w/2)/W); cy.append((yy+h/2)/H)
        if linkdir:
            d=os.path.join(linkdir,y); os.makedirs(d,exist_ok=True)
            t=os.path.join(d,os.path.basename(f))
            if not os.path.exists(t): os.symlink(f,t)
    q=lambda a:(round(st.median(a),3),round(st.quantiles(a,n=10)[0],3),round(st.quantiles(a,n=10)[-1],3))
    res=dict(file=path,images=n,detected=len(det),no_face=n-len(det),multi=multi,
             acc_detected=round(correct/len(det),4), acc_end_to_end=round(correct/n,4),
             box_w_over_image_w=q(rw), box_h_over_image_h=q(rh), box_cx=q(cx), box_cy=q(cy),
             recall={k:round(perok[k]/per[k],3) for k in sorted(per)})
    print(json.dumps(res))
if __name__=='__main__':
    analyse(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv)>3 else None)
