import { describe, expect, it } from 'vitest'
import { daysUntil, driverAlerts, oilKmLeft, openFaultAlerts, repeatedFailures, vehicleAlerts, type InspectionFacts } from '../schema/fleet.ts'

const base = { id: 'v1', km: null, oil_change_km: null, oil_interval_km: null, inspection_date: null, insurance_date: null, maintenance_date: null }

describe('fleet alerts (legacy rules)', () => {
  it('oil: remaining km with the 14,000 default; due at ≤ 0, soon at ≤ 2,000; blank oil_change_km is unknown, not 0', () => {
    expect(oilKmLeft({ km: 50_000, oil_change_km: 40_000, oil_interval_km: null })).toBe(4_000)
    expect(vehicleAlerts({ ...base, km: 50_000, oil_change_km: 40_000 }, '2026-01-01')).toEqual([])
    expect(vehicleAlerts({ ...base, km: 52_500, oil_change_km: 40_000 }, '2026-01-01')).toEqual([{ kind: 'oil', level: 'soon', subject_id: 'v1', amount: 1_500 }])
    expect(vehicleAlerts({ ...base, km: 55_000, oil_change_km: 40_000, oil_interval_km: 10_000 }, '2026-01-01')[0]).toMatchObject({ level: 'overdue', amount: -5_000 })
    expect(oilKmLeft({ km: 50_000, oil_change_km: null, oil_interval_km: null })).toBeUndefined()
    expect(vehicleAlerts({ ...base, km: 50_000 }, '2026-01-01')).toEqual([])
  })

  it('dates: soon within 30 days, overdue by N days, across a month end', () => {
    expect(daysUntil('2026-02-01', '2026-01-31')).toBe(1)
    expect(vehicleAlerts({ ...base, insurance_date: '2026-03-02' }, '2026-01-31')).toEqual([{ kind: 'insurance_date', level: 'soon', subject_id: 'v1', amount: 30 }])
    expect(vehicleAlerts({ ...base, insurance_date: '2026-03-03' }, '2026-01-31')).toEqual([])
    expect(driverAlerts({ id: 'd1', license_expiry: '2026-01-21' }, '2026-01-31')).toEqual([{ kind: 'license_expiry', level: 'overdue', subject_id: 'd1', amount: -10 }])
  })

  it('repeated Olumsuz on the same item in the last two inspections; open faults', () => {
    const inspections: InspectionFacts[] = [
      { id: 'i1', vehicle_id: 'v1', inspection_date: '2026-01-05', results: { lights: 'Olumsuz', glass: 'Olumsuz' } },
      { id: 'i2', vehicle_id: 'v1', inspection_date: '2026-01-12', results: { lights: 'Olumsuz', glass: 'Olumlu' } },
      { id: 'i0', vehicle_id: 'v1', inspection_date: '2025-12-29', results: { glass: 'Olumsuz' } },
    ]
    expect(repeatedFailures(inspections)).toEqual([{ kind: 'repeated_failure', level: 'overdue', subject_id: 'v1', item_key: 'lights' }])
    expect(openFaultAlerts([
      { id: 'f1', status: 'Acik', closed_date: null },
      { id: 'f2', status: 'Kapandi', closed_date: '2026-01-02' },
      { id: 'f3', status: 'Takip', closed_date: null },
    ]).map((a) => a.subject_id)).toEqual(['f1', 'f3'])
  })
})
